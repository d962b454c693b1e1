// swift-tools-version:6.2
// The libFuzzer target for the propagation parsers, kept apart from the main package so its sanitizer build never
// touches the main one. `make fuzz` builds it with -sanitize=fuzzer,address (linked with lld) and runs it for a set
// time; the entry point hands control to libFuzzer's driver.
import PackageDescription

let package = Package(
    name: "highlight-propagation-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "swift-highlight-propagation", path: "..")],
    targets: [
        .executableTarget(
            name: "PropagationFuzzer",
            dependencies: [.product(name: "HighlightPropagation", package: "swift-highlight-propagation")],
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        )
    ]
)
