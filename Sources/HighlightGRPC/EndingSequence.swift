import GRPCCore
import Synchronization
import Tracing

/// A call's response stream that ends its CLIENT span when the stream ends: with OK when it finishes, with the error
/// when it throws, and without a status when the caller stops reading early (the last reference goes).
struct EndingSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element: Sendable {
    typealias Element = Base.Element
    let base: Base
    let span: any Span

    func makeAsyncIterator() -> Iterator {
        Iterator(base: base.makeAsyncIterator(), ending: SpanEnding(span))
    }

    struct Iterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        let ending: SpanEnding

        mutating func next() async throws -> Element? {
            do {
                guard let element = try await base.next() else {
                    ending.end { $0.recordRPCSuccess() }
                    return nil
                }
                return element
            } catch {
                ending.end { $0.recordRPCFailure(error) }
                throw error
            }
        }
    }
}

/// Ends a span once, whichever way its stream stops; a stream dropped before its end ends the span as it is.
final class SpanEnding: Sendable {
    private let span: any Span
    private let ended = Atomic<Bool>(false)

    init(_ span: any Span) {
        self.span = span
    }

    func end(recording: (any Span) -> Void) {
        guard !ended.exchange(true, ordering: .acquiringAndReleasing) else { return }
        recording(span)
        span.end()
    }

    deinit {
        if !ended.load(ordering: .acquiring) { span.end() }
    }
}
