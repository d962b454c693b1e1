// swift-tools-version:6.2
// The libFuzzer target for the propagation parsers. Kept apart from the main package because a fuzzer has no
// `main` (libFuzzer provides it); `make fuzz` builds it with -sanitize=fuzzer,address and runs it for a set time.
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
