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
    /// What the variables say, if anything.
    struct Reading: Equatable {
        /// The sampler they name; `nil` when `OTEL_TRACES_SAMPLER` is unset, empty or refused.
        var sampler: HighlightSampler?
        /// Why a value was refused or replaced, for the operator: empty when both were fine.
        var warnings: [String] = []
    }

    static let samplerVariable = "OTEL_TRACES_SAMPLER"
    static let argumentVariable = "OTEL_TRACES_SAMPLER_ARG"

    /// Reads `OTEL_TRACES_SAMPLER` and `OTEL_TRACES_SAMPLER_ARG` from `variables`.
    static func read(_ variables: [String: String]) -> Reading {
        var reading = Reading()
        guard let raw = variables[samplerVariable], !raw.isEmpty else { return reading }
        let name = raw.trimmingASCIISpaces().lowercased()
        func ratio() -> Double {
            guard let argument = variables[argumentVariable], !argument.isEmpty else { return 1 }
            guard let value = Double(argument.trimmingASCIISpaces()), value.isFinite, (0...1).contains(value) else {
                reading.warnings.append("\(argumentVariable)=\(argument) is not a number from 0 to 1: sampling every trace (ratio 1)")
                return 1
            }
            return value
        }
        switch name {
        case "always_on": reading.sampler = .always
        case "always_off": reading.sampler = .never
        case "traceidratio": reading.sampler = .ratio(ratio())
        case "parentbased_always_on": reading.sampler = .parentBased(root: .always)
        case "parentbased_always_off": reading.sampler = .parentBased(root: .never)
        case "parentbased_traceidratio": reading.sampler = .parentBased(root: .ratio(ratio()))
        default:
            reading.warnings.append(
                "\(samplerVariable)=\(raw) is not a sampler this package has (always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio): Options.sampler stays"
            )
        }
        return reading
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
