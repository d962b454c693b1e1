public import HTTPTypes
public import Instrumentation

/// Writes propagated values into swift-http-types' `HTTPFields`, replacing every earlier field of that name.
///
/// ```swift
/// var fields = HTTPFields()
/// ServiceContext.injectCurrent(into: &fields)
/// ```
public struct HTTPFieldsInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Replaces every field named `key` with one holding `value`; a `key` that is not a valid field name is skipped.
    ///
    /// - Parameters:
    ///   - value: the value.
    ///   - key: the field name.
    ///   - carrier: the fields.
    public func inject(_ value: String, forKey key: String, into carrier: inout HTTPFields) {
        guard let name = HTTPField.Name.propagated(key) else { return }
        carrier[name] = value
    }
}
