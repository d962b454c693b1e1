public import GRPCCore
public import HighlightPropagation

/// Reads propagated values from gRPC request metadata.
///
/// gRPC metadata keys are lowercase ASCII and compared ignoring case; only string values are read, and binary keys
/// (those ending in `-bin`) never are: the values this package propagates are text on every carrier.
///
/// ```swift
/// let context = ServiceContext.extract(from: request.metadata, using: GRPCMetadataExtractor())
/// ```
public struct GRPCMetadataExtractor: HeaderValuesExtractor {
    /// The carrier: a request's metadata.
    public typealias Carrier = Metadata

    /// Creates the extractor.
    public init() {}

    /// Every string value held for `key`, in order; none for a binary (`-bin`) key.
    ///
    /// - Parameters:
    ///   - key: the metadata key (keys match ignoring case).
    ///   - carrier: the call's metadata.
    /// - Returns: the string values, in order.
    public func extractAll(key: String, from carrier: Metadata) -> [String] {
        guard !key.lowercased().hasSuffix("-bin") else { return [] }
        return Array(carrier[stringValues: key])
    }
}
