/// Where the headers ``HighlightPropagator`` reads are in a byte carrier: the last `x-highlight-request` and
/// `traceparent`, every `tracestate` and `baggage`. Names are compared ignoring ASCII case, as
/// ``HeaderValuesExtractor``s do.
///
/// Visible to inlined code: the byte path that fills it is specialised in the carrier's module.
@usableFromInline
struct FoundHeaders {
    @usableFromInline
    enum Indices {
        case none
        case one(Int)
        case many([Int])

        mutating func append(_ index: Int) {
            switch self {
            case .none: self = .one(index)
            case .one(let first): self = .many([first, index])
            case .many(var all):
                self = .none  // the array's only reference moves to `all`, so appending copies nothing
                all.append(index)
                self = .many(all)
            }
        }
    }

    @usableFromInline var request: Int?
    @usableFromInline var traceParent: Int?
    @usableFromInline var traceStates = Indices.none
    @usableFromInline var baggages = Indices.none

    @usableFromInline
    init() {}

    /// Notes the header `name` at `index`. The four names have four different lengths: one comparison at most per
    /// header.
    @usableFromInline
    mutating func note(_ name: String, at index: Int) {
        switch name.utf8.count {
        case 19 where name.equalsIgnoringASCIICase(PropagationHeader.highlightRequest): request = index
        case 11 where name.equalsIgnoringASCIICase(PropagationHeader.traceParent): traceParent = index
        case 10 where name.equalsIgnoringASCIICase(PropagationHeader.traceState): traceStates.append(index)
        case 7 where name.equalsIgnoringASCIICase(PropagationHeader.baggage): baggages.append(index)
        default: break
        }
    }
}
