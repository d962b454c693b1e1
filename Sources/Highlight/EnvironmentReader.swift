/// Reads `OTEL_*` and `HIGHLIGHT_*` variables for ``Highlight/Options/resolved(environment:)``, noting each value it
/// refuses: an operator who set a variable learns at bootstrap that it had no effect, and why.
///
/// As OpenTelemetry's specification has it, an empty value is the same as an unset one, and an invalid value is
/// reported and ignored.
struct EnvironmentReader {
    let variables: [String: String]
    /// One line per refused value, logged as warnings by `Highlight.bootstrap`.
    private(set) var warnings: [String] = []

    init(_ variables: [String: String]) {
        self.variables = variables
    }

    /// The value of `name`, or `nil` when it is unset or empty.
    func string(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// A whole number above zero in `name` (`what` says what it counts, for the warning); `nil` when unset, empty or
    /// refused.
    mutating func positiveInteger(_ name: String, _ what: String) -> Int? {
        guard let raw = string(name) else { return nil }
        guard let value = Int(raw.trimmingASCIISpaces()), value > 0 else {
            warnings.append("\(name)=\(raw) is not a whole number of \(what) above zero: ignored")
            return nil
        }
        return value
    }

    /// Notes a warning of the caller's own.
    mutating func warn(_ warning: String) {
        warnings.append(warning)
    }
}
