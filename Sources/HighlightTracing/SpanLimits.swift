/// Bounds on what one span keeps, as OpenTelemetry's SDK specification defines them (defaults: 128 of each).
/// What goes past a bound is dropped and counted in the exported span's `dropped_*_count` fields.
public struct SpanLimits: Sendable, Hashable {
    /// Attributes per span.
    public var attributeCount: Int
    /// Events per span.
    public var eventCount: Int
    /// Links per span.
    public var linkCount: Int
    /// Attributes per event and per link.
    public var attributePerEventCount: Int
    /// The longest string attribute value, in UTF-8 bytes; longer ones are cut at a character boundary. `nil`: no bound.
    public var attributeValueLength: Int?

    /// OpenTelemetry's defaults.
    ///
    /// - Parameters:
    ///   - attributeCount: attributes per span.
    ///   - eventCount: events per span.
    ///   - linkCount: links per span.
    ///   - attributePerEventCount: attributes per event and per link.
    ///   - attributeValueLength: the longest string attribute value in UTF-8 bytes; `nil` for no bound.
    public init(attributeCount: Int = 128, eventCount: Int = 128, linkCount: Int = 128, attributePerEventCount: Int = 128, attributeValueLength: Int? = nil) {
        self.attributeCount = attributeCount
        self.eventCount = eventCount
        self.linkCount = linkCount
        self.attributePerEventCount = attributePerEventCount
        self.attributeValueLength = attributeValueLength
    }
}
