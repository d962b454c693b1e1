import Foundation

/// Writes results: one JSON object per line with `--json`, a readable line otherwise. Progress and diagnostics go to
/// standard error so standard output stays parseable.
struct Output: Sendable {
    let json: Bool

    func emit(_ value: some Encodable, text: @autoclosure () -> String) {
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            guard let data = try? encoder.encode(value) else { return }
            FileHandle.standardOutput.write(data + Data("\n".utf8))
        } else {
            FileHandle.standardOutput.write(Data((text() + "\n").utf8))
        }
    }

    static func progress(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }
}

/// A JSON value that encodes `nil` as `null` instead of leaving the key out: every documented field is always there.
@propertyWrapper
struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
