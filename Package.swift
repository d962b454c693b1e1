// swift-tools-version:6.2
import PackageDescription

// Settings every target of this package shares: Swift 6 with strict concurrency (the language mode's default),
// explicit `public import` for modules that appear in public API, and `any` spelled out for existentials.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

// swift-otel (used only by `hlkafka bench --tracer otel` and one integration test, for comparison) does not compile
// under ThreadSanitizer (1.6: "sending 'logger' risks causing data races"). `make sanitize` sets this to build
// without it; the code that uses it is behind `#if canImport(OTel)`.
let withSwiftOTel = Context.environment["HIGHLIGHT_WITHOUT_SWIFT_OTEL"] == nil
let swiftOTel: [Target.Dependency] = withSwiftOTel ? [.product(name: "OTel", package: "swift-otel")] : []
/// `#if SWIFT_OTEL` marks that code (`canImport` would see a module a failed sanitizer build left behind).
let swiftOTelSettings: [SwiftSetting] = swiftSettings + (withSwiftOTel ? [.define("SWIFT_OTEL")] : [])

// `make sanitize` sets this for its ThreadSanitizer build: `Locked` then guards values with a pthread mutex, which
// the sanitizer sees, instead of the standard library's `Mutex`, which it does not (see Locked.swift).
let threadSanitizer = Context.environment["HIGHLIGHT_THREAD_SANITIZER"] != nil

// The two dependency lists that take swift-otel when it is built, typed apart: inline, the manifest grew too large
// for the type checker.
let hlkafkaDependencies: [Target.Dependency] = [
    "CProcessWatch",
    "HighlightGRPC",
    .product(name: "GRPCCore", package: "grpc-swift-2"),
    .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
    .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
    .product(name: "SwiftProtobuf", package: "swift-protobuf"),
    "HighlightSynchronization",
    "Highlight",
    "HighlightAsyncHTTPClient",
    "HighlightHummingbird",
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "Hummingbird", package: "hummingbird"),
    "HighlightKafka",
    "HighlightKafkaClient",
    "HighlightKafkaTesting",
    "HighlightPropagation",
    "HighlightTracing",
    "CHeapStatistics",
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
    .product(name: "Instrumentation", package: "swift-distributed-tracing"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "Tracing", package: "swift-distributed-tracing"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    .product(name: "UnixSignals", package: "swift-service-lifecycle"),
    .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
] + swiftOTel

// What the HTTP client side of HighlightAsyncHTTPClient and HighlightVapor both take.
let httpClientDependencies: [Target.Dependency] = [
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "Instrumentation", package: "swift-distributed-tracing"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "Tracing", package: "swift-distributed-tracing"),
]

let integrationTestDependencies: [Target.Dependency] = [
    "CProcessWatch",
    "HighlightSynchronization",
    "Highlight",
    "HighlightTestSupport",
    "GettingStartedExamples",
    "HighlightAsyncHTTPClient",
    "HighlightGRPC",
    "HighlightHummingbird",
    "HighlightVapor",
    "HighlightKafka",
    "HighlightKafkaClient",
    "HighlightKafkaTesting",
    "HighlightPropagation",
    .product(name: "AsyncHTTPClient", package: "async-http-client"),
    .product(name: "GRPCCore", package: "grpc-swift-2"),
    .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
    .product(name: "Hummingbird", package: "hummingbird"),
    .product(name: "InMemoryLogging", package: "swift-log"),
    .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
    .product(name: "Instrumentation", package: "swift-distributed-tracing"),
    .product(name: "Logging", package: "swift-log"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
    .product(name: "Tracing", package: "swift-distributed-tracing"),
    .product(name: "Vapor", package: "vapor"),
    .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
] + swiftOTel

let package = Package(
    name: "swift-highlight-propagation",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HighlightPropagation", targets: ["HighlightPropagation"]),
        .library(name: "HighlightKafkaClient", targets: ["HighlightKafkaClient"]),
        .library(name: "HighlightKafka", targets: ["HighlightKafka"]),
        .library(name: "HighlightKafkaTesting", targets: ["HighlightKafkaTesting"]),
        .library(name: "HighlightTracing", targets: ["HighlightTracing"]),
        .library(name: "Highlight", targets: ["Highlight"]),
        .library(name: "HighlightHummingbird", targets: ["HighlightHummingbird"]),
        .library(name: "HighlightAsyncHTTPClient", targets: ["HighlightAsyncHTTPClient"]),
        .library(name: "HighlightVapor", targets: ["HighlightVapor"]),
        .library(name: "HighlightGRPC", targets: ["HighlightGRPC"]),
        .executable(name: "hlkafka", targets: ["hlkafka"]),
        .executable(name: "hlkafka-raw-baseline", targets: ["hlkafka-raw-baseline"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/grpc/grpc-swift-2.git", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport.git", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/vapor/vapor.git", from: "4.122.3"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        // `make docs`: the documentation of every library product (a plugin; nothing of it is linked).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.5.0"),
    ],
    targets: [
        // MARK: Propagation core: no Kafka, no HTTP server, no exporter.
        .target(
            name: "HighlightSynchronization",
            swiftSettings: swiftSettings + (threadSanitizer ? [.define("HIGHLIGHT_THREAD_SANITIZER")] : [])
        ),
        .target(
            name: "HighlightPropagation",
            dependencies: [
                "HighlightSynchronization",
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The span pipeline: a Tracer whose spans end into a bounded queue. No exporter, no Kafka.
        .target(
            name: "HighlightTracing",
            dependencies: [
                "HighlightSynchronization",
                "HighlightPropagation",
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: libdeflate, from the system (Debian: libdeflate-dev), for gzip request bodies: whole buffers at once,
        // about 1.8 times zlib's speed at level 1 on OTLP bodies, and smaller (Benchmarks/README.md).
        .systemLibrary(
            name: "CDeflate",
            pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]
        ),

        // MARK: librdkafka, from the system (Debian: librdkafka-dev).
        .systemLibrary(
            name: "CRDKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),

        // MARK: Plain Kafka client: knows nothing about tracing.
        .target(
            name: "HighlightKafkaClient",
            dependencies: [
                "HighlightSynchronization",
                "CRDKafka",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Kafka tracing layer: joins the plain client and the propagation core.
        .target(
            name: "HighlightKafka",
            dependencies: [
                "HighlightSynchronization",
                "HighlightKafkaClient",
                "HighlightPropagation",
                "HighlightTracing",
                .product(name: "DequeModule", package: "swift-collections"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The highlight facade: H.consumeError, H.log, export over OTLP/HTTP (this package's exporter).
        .target(
            name: "Highlight",
            dependencies: [
                "HighlightSynchronization",
                "CDeflate",
                "HighlightPropagation",
                "HighlightTracing",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: HTTP: server middleware and client injection.
        .target(
            name: "HighlightHummingbird",
            dependencies: [
                "HighlightPropagation",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "HighlightAsyncHTTPClient",
            dependencies: ["HighlightPropagation"] + httpClientDependencies,
            swiftSettings: swiftSettings
        ),

        // MARK: Vapor: the same middleware, CORS answer and outbound injection as for Hummingbird.
        .target(
            name: "HighlightVapor",
            dependencies: ["Highlight", "HighlightAsyncHTTPClient", "HighlightPropagation", .product(name: "Vapor", package: "vapor")]
                + httpClientDependencies,
            swiftSettings: swiftSettings
        ),

        // MARK: gRPC (grpc-swift 2's core only: the transport stays the user's choice).
        .target(
            name: "HighlightGRPC",
            dependencies: [
                "HighlightPropagation",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Test support users take into their own tests.
        .target(
            name: "HighlightKafkaTesting",
            dependencies: [
                "HighlightKafkaClient",
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: The command-line tool
        .executableTarget(
            name: "hlkafka",
            dependencies: hlkafkaDependencies,
            swiftSettings: swiftOTelSettings
        ),

        // MARK: The allocator's bytes in use, for `hlkafka bench consume` (C: glibc's mallinfo2 is not in Swift's Glibc).
        .target(name: "CHeapStatistics"),
        // pidfd_open and pidfd_send_signal for hlkafka's parent watch and the tests' child processes (syscall is variadic:
        // Swift cannot call it).
        .target(name: "CProcessWatch"),

        // MARK: The raw librdkafka baseline `hlkafka bench` compares with (C, no Swift).
        .executableTarget(
            name: "hlkafka-raw-baseline",
            dependencies: ["CRDKafka"],
            path: "Benchmarks/RawBaseline"
        ),

        // MARK: Examples (compiled by every build so they cannot rot)
        .executableTarget(
            name: "HighlightQuickStart",
            dependencies: ["HighlightPropagation", .product(name: "Instrumentation", package: "swift-distributed-tracing")],
            path: "Examples/QuickStart",
            swiftSettings: swiftSettings
        ),

        .target(
            name: "GettingStartedExamples",
            dependencies: [
                "HighlightGRPC",
                "HighlightPropagation",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                "Highlight",
                "HighlightHummingbird",
                "HighlightKafka",
                "HighlightKafkaClient",
                "HighlightKafkaTesting",
                "HighlightAsyncHTTPClient",
                "HighlightTracing",
                "HighlightVapor",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Vapor", package: "vapor"),
            ],
            path: "Examples/GettingStarted",
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        // What several test targets share (reading a child process's output).
        .target(
            name: "HighlightTestSupport",
            dependencies: ["HighlightSynchronization", "CProcessWatch"],
            path: "Tests/HighlightTestSupport",
            swiftSettings: swiftSettings
        ),
        // Stops the facade's telemetry in each way a process can stop, for TelemetryExitPathTests.
        .executableTarget(
            name: "highlight-exit-probe",
            dependencies: [
                "Highlight",
                "HighlightPropagation",
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "IntegrationTests/ExitPathProbe",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HighlightPropagationTests",
            dependencies: [
                "HighlightSynchronization",
                "HighlightPropagation",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "InMemoryTracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PropertyBased", package: "swift-property-based"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
            ],
            path: "Tests/HighlightPropagationTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HighlightTracingTests",
            dependencies: [
                "HighlightPropagation",
                "HighlightTracing",
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/HighlightTracingTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HighlightKafkaTests",
            dependencies: [
                "HighlightSynchronization",
                "HighlightKafka",
                "HighlightKafkaClient",
                "HighlightPropagation",
                "HighlightTracing",
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/HighlightKafkaTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HighlightTests",
            dependencies: [
                "Highlight",
                "HighlightTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                "HighlightPropagation",
                "HighlightTracing",
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/HighlightTests",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HighlightIntegrationTests",
            dependencies: integrationTestDependencies,
            path: "IntegrationTests/HighlightIntegrationTests",
            swiftSettings: swiftOTelSettings
        ),
    ]
)
