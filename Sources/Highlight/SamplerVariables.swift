import HighlightTracing

/// OpenTelemetry's sampling variables, `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG`, read into a
/// ``HighlightSampler``: an operator turns sampling down (or off) without a rebuild.
///
/// | `OTEL_TRACES_SAMPLER` | sampler |
/// |---|---|
/// | `always_on` | `.always` |
/// | `always_off` | `.never` |
/// | `traceidratio` | `.ratio(arg)` |
/// | `parentbased_always_on` | `.parentBased(root: .always)` |
/// | `parentbased_always_off` | `.parentBased(root: .never)` |
/// | `parentbased_traceidratio` | `.parentBased(root: .ratio(arg))` |
///
/// `arg` is `OTEL_TRACES_SAMPLER_ARG`, a number from 0 to 1; unset or invalid, it is 1 (as the specification says).
/// Any other sampler name (`jaeger_remote`, `xray`, a typo) is refused with a warning and the code's sampler stays.
enum SamplerVariables {
    static let samplerVariable = "OTEL_TRACES_SAMPLER"
    static let argumentVariable = "OTEL_TRACES_SAMPLER_ARG"

    /// The sampler `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` name; `nil` when the first is unset, empty or
    /// refused. What is refused or replaced is noted in `reader`'s warnings.
    static func read(_ reader: inout EnvironmentReader) -> HighlightSampler? {
        guard let raw = reader.string(samplerVariable) else { return nil }
        func ratio() -> Double {
            guard let argument = reader.string(argumentVariable) else { return 1 }
            guard let value = Double(argument.trimmingASCIISpaces()), value.isFinite, (0...1).contains(value) else {
                reader.warn("\(argumentVariable)=\(argument) is not a number from 0 to 1: sampling every trace (ratio 1)")
                return 1
            }
            return value
        }
        switch raw.trimmingASCIISpaces().lowercased() {
        case "always_on": return .always
        case "always_off": return .never
        case "traceidratio": return .ratio(ratio())
        case "parentbased_always_on": return .parentBased(root: .always)
        case "parentbased_always_off": return .parentBased(root: .never)
        case "parentbased_traceidratio": return .parentBased(root: .ratio(ratio()))
        default:
            reader.warn(
                "\(samplerVariable)=\(raw) is not a sampler this package has (always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio): Options.sampler stays"
            )
            return nil
        }
    }
}

extension String {
    /// The string without leading and trailing ASCII spaces and tabs (an environment value pasted with a space).
    func trimmingASCIISpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
