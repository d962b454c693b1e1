public import GRPCCore
public import Instrumentation

/// Writes propagated values into gRPC request metadata, replacing every earlier value of that key.
///
/// ```swift
/// var metadata = Metadata()
/// ServiceContext.injectCurrent(into: &metadata, using: GRPCMetadataInjector())
/// ```
public struct GRPCMetadataInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Replaces every value of `key` (matched ignoring case) with `value`.
    ///
    /// - Parameters:
    ///   - value: the value.
    ///   - key: the metadata key.
    ///   - carrier: the call's metadata.
    public func inject(_ value: String, forKey key: String, into carrier: inout Metadata) {
        carrier.removeAllValues(forKey: key)
        carrier.addString(value, forKey: key)
    }
}
