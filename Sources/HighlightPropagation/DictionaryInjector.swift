public import Instrumentation

/// Writes propagated values into a `[String: String]` carrier: any spelling of the key already there is removed,
/// then the value is stored under `key` as given (lowercase for every header this package writes).
///
/// ```swift
/// var headers: [String: String] = ["X-Highlight-Request": "old/1"]
/// ServiceContext.$current.withValue(context) { ServiceContext.injectCurrent(into: &headers) }
/// // headers == ["x-highlight-request": "<session>/<request>", ...]
/// ```
public struct DictionaryInjector: Injector {
    /// Creates the injector.
    public init() {}

    /// Replaces every spelling of `key` with `key: value`.
    ///
    /// - Parameters:
    ///   - value: the value.
    ///   - key: the lowercase name; other spellings of it are removed.
    ///   - carrier: the dictionary.
    public func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        for existing in carrier.keys where existing != key && existing.equalsIgnoringASCIICase(key) {
            carrier.removeValue(forKey: existing)
        }
        // A propagator writes up to four keys in a row: make room for them once, not by growing at each.
        if carrier.count == carrier.capacity { carrier.reserveCapacity(carrier.count + 4) }
        carrier[key] = value
    }
}
