// swift-tools-version: 6.2
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    // Every build refuses a warning, not only a clean one: incremental builds print a file's warnings only when they
    // recompile it, which let two unused imports reach CI.
    .treatAllWarnings(as: .error),
]

let package = Package(
    name: "QlikConnector",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "qlik-connector", targets: ["qlik-connector"]),
        .library(name: "QlikConnections", targets: ["QlikConnections"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-async-algorithms", from: "1.1.4"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        // The runtime of the code swift-openapi-generator writes from openapi.yaml (scripts/openapi/generate). The agent's client
        // transport is Runtime's own (AgentServiceClient.WholeBodyTransport), over AsyncHTTPClient.
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
    ],
    targets: [
        // The connection definition and every rule on it: pure values, no I/O.
        .target(name: "QlikConnections", swiftSettings: strictSettings),
        // Values that expire (tokens, fetched secrets), refreshed by one fetch at a time: no dependencies.
        .target(name: "Caching", swiftSettings: strictSettings),
        // Qlik's QVD table files: streaming reader and writer, and CSV for the command.
        .target(name: "QVD", swiftSettings: strictSettings),
        // The QVD reader under libFuzzer (scripts/fuzz-qvd); a plain build replays crash files.
        .executableTarget(name: "QVDFuzz", dependencies: ["QVD"], swiftSettings: strictSettings),
        // The engine's page parser under libFuzzer (scripts/fuzz-engine-pages); a plain build replays crash files.
        .executableTarget(name: "EnginePageFuzz", dependencies: ["QlikCloudAPI"], swiftSettings: strictSettings),
        // QVD speed and memory beside qvdrs and pyqvd (scripts/bench-qvd).
        .executableTarget(name: "qvd-benchmark", dependencies: ["QVD"], path: "Benchmarks/QVDBenchmark", swiftSettings: strictSettings),
        // A faithful local Qlik Cloud tenant for tests, demos and benchmarks; shares no code with the client.
        .target(
            name: "QlikCloudSandbox",
            dependencies: [
                "QVD",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            // Qlik's engine schema (names) and result types, read at run time to check engine traffic (EngineSchemaCheck.swift),
            // and by scripts/engine-coverage.
            resources: [.copy("EngineSchema")],
            swiftSettings: strictSettings
        ),
        // Sandbox speed: hypercube pages over a real socket, and a server for wrk (scripts/bench-sandbox).
        .executableTarget(
            name: "sandbox-benchmark",
            dependencies: ["QlikCloudSandbox", .product(name: "HummingbirdWSClient", package: "hummingbird-websocket")],
            path: "Benchmarks/SandboxBenchmark",
            swiftSettings: strictSettings
        ),
        // The system's name resolver (getaddrinfo) off the Swift concurrency threads, for the address checks before requests.
        .target(
            name: "HostResolution",
            dependencies: ["QlikConnections", .product(name: "NIOPosix", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // Talking to a tenant: transport, token providers, REST resources, the engine, diagnosis.
        .target(
            name: "QlikCloudAPI",
            dependencies: [
                "QlikConnections", "HostResolution", "Caching",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "AsyncAlgorithms", package: "swift-async-algorithms"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // What a connection is for: test (and later discover, read, write, reload).
        .target(name: "Connector", dependencies: ["QlikCloudAPI", "QlikConnections", "QVD", "Secrets", "HostResolution"], swiftSettings: strictSettings),
        // Engine reads and Test Connection beside their peers (scripts/bench-engine).
        .executableTarget(
            name: "engine-benchmark",
            dependencies: ["QlikCloudAPI", "Connector", "QlikConnections", .product(name: "AsyncHTTPClient", package: "async-http-client")],
            path: "Benchmarks/EngineBenchmark",
            swiftSettings: strictSettings
        ),
        // Sealing secrets at rest (AES-256-GCM under a rotating master key).
        .target(
            name: "Secrets",
            dependencies: [
                "QlikConnections", "HostResolution", "Caching",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        // Persistence: organizations, runtime environments, connections, audit.
        .target(
            name: "Repository",
            dependencies: [
                "QlikConnections",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                // Large task results are stored gzip-compressed (StoredTaskResult).
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                // PostgresRepository is a service: its client runs for as long as whoever uses the repository runs it.
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // Tasks on runtime environments: the queue's workers, the serverless pool, the Secure Agent loop.
        .target(
            name: "Runtime",
            dependencies: [
                "QlikConnections", "Repository", "Secrets", "Connector", "QlikCloudAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                // The agent calls the service's agent routes through the client generated from openapi.yaml (ConnectorAPI).
                "ConnectorAPI",
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        // The use cases every entry point (command line, API, console) shares, each written once; they throw UseCaseError.
        // Named UseCases, not Operations: swift-openapi-generator emits a top-level `enum Operations`.
        .target(
            name: "UseCases",
            dependencies: ["QlikConnections", "Repository", "Runtime", "Secrets", "Connector", .product(name: "Crypto", package: "swift-crypto"),
                           // bcrypt only (PasswordHasher); hummingbird-auth's HTTP parts are not used here.
                           .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // The API's JSON shapes (organizations, connections, tasks, agents), shared by the service and the command's --json
        // without HTTP; the spec-first generator's types replace them later.
        .target(name: "ConnectorAPI", dependencies: ["QlikConnections", "Repository",
                                                     // Generated/: the code scripts/openapi/generate writes from openapi.yaml.
                                                     .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                                                     .product(name: "HTTPTypes", package: "swift-http-types")],
                // openapi.yaml is the API's one description; the service serves its JSON form (scripts/openapi/json-from-yaml).
                exclude: ["openapi.yaml"], resources: [.copy("openapi.json")], swiftSettings: strictSettings),
        // The connection service: HTTP API with its OpenAPI document, health, metrics.
        .target(
            name: "Service",
            dependencies: [
                "QlikConnections", "Secrets", "Repository", "Connector", "QlikCloudAPI", "Runtime", "UseCases", "ConnectorAPI",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
                // The agent routes' server, generated from openapi.yaml (API/Generated), registered on the router.
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The service under wrk beside a bare route (scripts/bench-service).
        .executableTarget(
            name: "service-benchmark",
            dependencies: ["Service", "UseCases", "ConnectorAPI", "Repository", "QlikConnections", "Secrets", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/ServiceBenchmark",
            swiftSettings: strictSettings
        ),
        // The commands of `qlik-connector`, kept in a library so tests can reach them.
        .target(
            name: "QlikConnectorCLI",
            dependencies: [
                // No Service and no Hummingbird: `serve` starts the service through ServiceLauncher, which the executable implements.
                "QlikConnections", "Secrets", "Repository", "QVD", "QlikCloudSandbox", "QlikCloudAPI", "Connector", "ConnectorAPI", "Runtime", "UseCases",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                // Its IOError tells a port already taken from other failures to listen.
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "qlik-connector",
            dependencies: ["QlikConnectorCLI", "Service", "UseCases", .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "QlikConnectionsTests", dependencies: ["QlikConnections"], swiftSettings: strictSettings),
        .testTarget(
            name: "ServiceTests",
            dependencies: [
                "Service", "UseCases", "ConnectorAPI", "Repository", "QlikConnections", "Secrets", "QlikCloudSandbox", "Connector", "Runtime", "TestRepositories", "TestProcesses",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "QVDTests", dependencies: ["QVD", "TestProcesses"], swiftSettings: strictSettings),
        .testTarget(name: "CachingTests", dependencies: ["Caching"], swiftSettings: strictSettings),
        .testTarget(name: "UseCasesTests", dependencies: ["UseCases", "QlikConnections", "Repository", "Runtime", "Secrets", "Connector", "TestRepositories",
                                                          .product(name: "Logging", package: "swift-log")], swiftSettings: strictSettings),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime", "QlikConnections", "Repository",
                                                        // The agent's calls through the generated client, against a scripted transport.
                                                        "ConnectorAPI", "Secrets", .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                        .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                                                        .product(name: "HTTPTypes", package: "swift-http-types")],
                    swiftSettings: strictSettings),
        .testTarget(
            name: "QlikCloudSandboxTests",
            dependencies: [
                "QlikCloudSandbox", "TestProcesses", "TestTenants",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "QlikCloudAPITests",
            dependencies: ["QlikCloudAPI", "QlikConnections", "QlikCloudSandbox", "HostResolution", "TestTenants"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ConnectorTests",
            dependencies: ["Connector", "QlikCloudAPI", "QlikConnections", "QlikCloudSandbox", "QVD", "TestTenants", "TestProcesses",
                           .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // The sandbox tenant served on loopback, with a client for it, for the QlikCloudAPI and Connector tests.
        .target(
            name: "TestTenants",
            dependencies: ["QlikCloudAPI", "QlikCloudSandbox", "QlikConnections", "TestProcesses"],
            path: "Tests/Support/Tenants",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SecretsTests",
            dependencies: [
                "Secrets", "QlikConnections", "TestRepositories",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        // Fresh repositories on SQLite and on the test command's PostgreSQL, for the test targets.
        .target(
            name: "TestRepositories",
            dependencies: [
                "Repository", "TestProcesses",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support",
            exclude: ["Tenants", "CommandLine", "Processes"],
            swiftSettings: strictSettings
        ),
        .testTarget(name: "RepositoryTests", dependencies: ["Repository", "QlikConnections", "TestRepositories", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")], swiftSettings: strictSettings),
        // The command library, each command run in-process with a terminal of its own.
        .testTarget(
            name: "CLITests",
            dependencies: ["QlikConnections", "Secrets", "Repository", "TestRepositories", "QlikConnectorCLI", "TestCommandLine",
                           .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // The built binary, as a user runs it: serve, sandbox, agent, and the commands that reach a tenant or stream.
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["QlikConnections", "Secrets", "Repository", "TestRepositories", "QlikConnectorCLI", "TestCommandLine", "TestProcesses"],
            swiftSettings: strictSettings
        ),
        // Runs qlik-connector's commands for the CLI and end-to-end tests: in-process or as the binary.
        .target(
            name: "TestCommandLine",
            dependencies: ["QlikConnectorCLI", "TestProcesses"],
            path: "Tests/Support/CommandLine",
            swiftSettings: strictSettings
        ),
        // Programs the tests run, spawned without Foundation's Process (ChildProcess says why).
        .target(name: "TestProcesses", path: "Tests/Support/Processes", swiftSettings: strictSettings),
    ],
    swiftLanguageModes: [.v6]
)
