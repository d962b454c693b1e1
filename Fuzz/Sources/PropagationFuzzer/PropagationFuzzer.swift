import HighlightPropagation
import Foundation
import Instrumentation

/// libFuzzer's driver, entered explicitly: SwiftPM links its own `main` for an executable, so libFuzzer's is not used.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> CInt
) -> CInt

/// One libFuzzer input: its bytes go, as every header this package reads, through every parser and the propagator,
/// and whatever comes out is injected again. A crash, or an outgoing value that is not printable ASCII, is a finding.
@_cdecl("LLVMFuzzerTestOneInput")
func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? HighlightRequestContext.parse(text)
    _ = W3CBaggage.parse([text, text])
    _ = W3CTraceContextParser.parse(traceParent: text, traceState: text)
    _ = W3CTraceContextParser.parse(traceParent: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", traceState: text)

    let headers = Dictionary(uniqueKeysWithValues: PropagationHeader.all.map { ($0, text) })
    let context = ServiceContext.extract(from: headers, instrument: propagator)
    var outbound: [String: String] = [:]
    context.inject(into: &outbound, using: DictionaryInjector(), instrument: propagator)
    for value in outbound.values where !value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) {
        fatalError("an outgoing header value is not printable ASCII")
    }
    return 0
}

private let propagator = HighlightPropagator(statistics: PropagationStatistics())


/// The executable's entry point under the name SwiftPM links as `main`: it hands control to libFuzzer's driver,
/// which runs `fuzz` over generated inputs (with -sanitize=fuzzer,address).
@_cdecl("PropagationFuzzer_main")
func entryPoint(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> CInt {
    var argumentCount = argc
    var arguments = argv
    return runFuzzerDriver(&argumentCount, &arguments) { data, size in fuzz(data, size) }
}
