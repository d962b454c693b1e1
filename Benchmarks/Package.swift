// swift-tools-version:6.3
// Micro-benchmarks of propagation cost, kept in their own package so the main build stays lean.
// Run with `make bench` (or `swift package benchmark` in this folder); thresholds live in Thresholds/.
import PackageDescription

let package = Package(
    name: "highlight-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "swift-highlight-propagation", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark.git", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
    ],
    targets: [
        .executableTarget(
            name: "PropagationBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "HighlightPropagation", package: "swift-highlight-propagation"),
                .product(name: "HighlightKafka", package: "swift-highlight-propagation"),
                .product(name: "HighlightKafkaClient", package: "swift-highlight-propagation"),
                .product(name: "HighlightGRPC", package: "swift-highlight-propagation"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "HighlightTracing", package: "swift-highlight-propagation"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "HighlightVapor", package: "swift-highlight-propagation"),
                .product(name: "Vapor", package: "vapor"),
            ],
            path: "Benchmarks/PropagationBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
