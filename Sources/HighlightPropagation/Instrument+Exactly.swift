package import Instrumentation

extension Instrument {
    /// This instrument as a `T`, when its dynamic type is exactly `T`; `nil` otherwise.
    ///
    /// Called on an `any Instrument`, the existential is opened and its type compared with `T`: one comparison of
    /// metatypes where `as? T` runs the runtime's dynamic cast (profiled at about 2% of the traced producer's CPU, once
    /// per message for the tracer and once for the propagator). Unlike `as?`, it does not look through wrappers or
    /// match subclasses: the types asked about here are a final class and a struct.
    ///
    /// - Parameter type: the concrete type asked about.
    /// - Returns: `self` as a `T`, or `nil`.
    package func exactly<T>(_ type: T.Type) -> T? {
        // Safe: the two types are the same type, so the bits are a valid `T`.
        Self.self == T.self ? unsafeBitCast(self, to: T.self) : nil
    }
}
