// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "swift-lambda-kafka",
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        .executable(name: "lambda-emulator", targets: ["lambda-emulator"]),
        .executable(name: "kafka-local-cluster", targets: ["kafka-local-cluster"]),
        .executable(name: "msk-iam-token", targets: ["msk-iam-token"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.100.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
    ],
    targets: [
        // C libraries as Swift sees them.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CRdKafka", pkgConfig: "rdkafka", providers: [.apt(["librdkafka-dev"])]),
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        // SHA-256 for SigV4: OpenSSL's libcrypto, already loaded by librdkafka and libcurl.
        .systemLibrary(name: "CLibCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .target(name: "CCurlShim", dependencies: ["CCurl"]),
        .target(name: "CRdKafkaShim", dependencies: ["CRdKafka"]),
        .target(name: "CMallocShim"),

        // Libraries, one job each.
        // Base64, the JSON string escaper and C string buffers: no dependencies, no Foundation.
        .target(name: "Encoding"),
        // APISIX's PubSubReq/PubSubResp in protobuf's binary form; no dependencies.
        .target(name: "PubSubWire"),
        // The strict JSON scanner, parser, tree and writer.
        .target(name: "JSON", dependencies: ["Encoding"]),
        // The Lambda wire contract the runtime and the emulator share: headers, error type and body.
        .target(name: "LambdaWire", dependencies: ["Encoding"]),
        .target(name: "CurlHTTP", dependencies: ["CCurl", "CCurlShim"]),
        .target(name: "LambdaRuntime", dependencies: [
            "CurlHTTP", "LambdaWire", "Encoding",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "AWSSigV4", dependencies: ["CLibCrypto", "Encoding"]),
        .target(name: "AWSCredentials", dependencies: ["AWSSigV4", "CurlHTTP", "JSON"]),
        // librdkafka: configuration values, producer, consumer, admin; knows no AWS (OAUTHBEARER
        // tokens come from an `OAuthBearerTokenProvider`).
        .target(name: "Kafka", dependencies: [
            "CRdKafka", "CRdKafkaShim", "Encoding",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Topic metadata, topic creation, partition offsets and cluster metadata over the same native client.
        .target(name: "KafkaAdminClient", dependencies: ["CRdKafka", "Encoding", "Kafka", .product(name: "Logging", package: "swift-log")]),
        // MSK IAM tokens; implements Kafka's token-provider protocol.
        .target(name: "MSKIAMAuth", dependencies: ["AWSSigV4", "Encoding", "Kafka"]),
        .target(name: "PostgresSink", dependencies: ["CLibPQ", "AWSSigV4", "AWSCredentials", "Encoding"]),

        // The function: a core of actions, one target per way in, and the composition.
        // An invocation's figures and their Embedded Metric Format lines.
        .target(name: "FunctionMetrics", dependencies: ["JSON"]),
        .target(name: "FunctionCore", dependencies: [
            "FunctionMetrics", "JSON", "Encoding", "Kafka", "KafkaAdminClient", "LambdaRuntime", "PostgresSink", "MSKIAMAuth", "AWSCredentials", "CMallocShim",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "DirectFrontEnd", dependencies: ["FunctionCore", "JSON", "Kafka", "LambdaRuntime"]),
        .target(name: "APIGatewayFrontEnd", dependencies: [
            "FunctionCore", "JSON", "Encoding", "Kafka", "KafkaAdminClient", "LambdaRuntime", "PostgresSink",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "WebSocketFrontEnd", dependencies: [
            "FunctionCore", "JSON", "Encoding", "Kafka", "KafkaAdminClient", "PubSubWire",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "EventSourceFrontEnd", dependencies: ["FunctionCore", "JSON", "Encoding", "PostgresSink"]),
        .target(name: "KafkaFunction", dependencies: [
            "FunctionCore", "FunctionMetrics", "DirectFrontEnd", "APIGatewayFrontEnd", "WebSocketFrontEnd", "EventSourceFrontEnd",
            "JSON", "Kafka", "LambdaRuntime",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Executables.
        .executableTarget(name: "bootstrap", dependencies: ["LambdaRuntime", "KafkaFunction"]),
        .target(name: "LambdaEmulatorCore", dependencies: ["LambdaWire", "Encoding"]),
        .executableTarget(name: "lambda-emulator", dependencies: [
            "LambdaEmulatorCore",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "kafka-local-cluster", dependencies: [
            "CRdKafka", "CRdKafkaShim", "Encoding",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "msk-iam-token", dependencies: [
            "MSKIAMAuth", "AWSCredentials", "AWSSigV4",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests. Integration tests start the real executables built next to the test bundle.
        .target(name: "TestSupport", dependencies: ["AWSSigV4"], path: "Tests/TestSupport"),
        // The bootstrap with test hooks (`diagnostic.*` actions); never part of a product.
        .executableTarget(name: "diagnostic-bootstrap", dependencies: ["LambdaRuntime", "KafkaFunction"],
                          path: "Tests/DiagnosticBootstrap"),
        .testTarget(name: "CurlHTTPTests", dependencies: ["CurlHTTP", "TestSupport"]),
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "Encoding", "TestSupport"]),
        .testTarget(name: "AWSSigV4Tests", dependencies: ["AWSSigV4", "Encoding", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "AWSCredentialsTests", dependencies: ["AWSCredentials", "TestSupport"]),
        .testTarget(name: "MSKIAMAuthTests", dependencies: ["MSKIAMAuth", "AWSSigV4", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "KafkaTests", dependencies: ["Kafka", "KafkaAdminClient", "MSKIAMAuth", "AWSCredentials", "TestSupport"]),
        .testTarget(name: "KafkaFunctionTests", dependencies: [
            "KafkaFunction", "FunctionCore", "FunctionMetrics", "DirectFrontEnd", "APIGatewayFrontEnd", "WebSocketFrontEnd", "EventSourceFrontEnd",
            "Encoding", "JSON", "Kafka", "KafkaAdminClient", "LambdaRuntime", "MSKIAMAuth", "PostgresSink", "PubSubWire",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "PostgresSinkTests", dependencies: ["PostgresSink", "AWSSigV4", "AWSCredentials", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "LambdaEmulatorCoreTests", dependencies: ["LambdaEmulatorCore"]),
        .testTarget(name: "LambdaWireTests", dependencies: ["LambdaWire", "Encoding"]),
        .testTarget(name: "PubSubWireTests", dependencies: ["PubSubWire"], resources: [.copy("Fixtures")]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport"], resources: [.copy("Fixtures")]),
    ]
)
