import ArgumentParser
import Foundation
import QlikCloudSandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local Qlik Cloud tenant (for tests and demos; no Qlik account needed).",
        discussion: "Prints its base URL, a ready API key and an OAuth client id and secret, then serves until stopped (Ctrl-C)."
    )

    @Option(help: "Port to listen on (0 picks a free one).") var port: Int = 9090
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Flag(help: "Print the credentials as one JSON line.") var json = false
    @Option(help: "PEM certificate chain: serve HTTPS and WSS (with --tls-key).") var tlsCert: String?
    @Option(help: "PEM private key for --tls-cert.") var tlsKey: String?
    @Option(help: "Lifetime of OAuth access tokens, in seconds (Qlik's: 21600).") var tokenLifetime: Int = 21_600
    @Option(help: "Fault: milliseconds added to every HTTP answer.") var faultLatencyMs: Int = 0
    @Option(help: "Fault: milliseconds each engine message takes to arrive (a network's delay: pipelined requests overlap).") var faultEngineLatencyMs: Int = 0
    @Option(help: "Fault: share (0 to 1) of requests answered 502 or 503.") var faultServerErrors: Double = 0
    @Option(help: "Fault: share (0 to 1) of requests answered 429.") var faultRateLimited: Double = 0
    @Option(name: .customLong("fault-drop-websocket-after"), help: "Fault: close engine sockets after this many messages (0: at the upgrade, before OnConnected).") var faultDropWebSocketAfter: Int?
    @Option(help: "Fault: tokens stop working after this many seconds, whatever they announce.") var faultTokenValidity: Int?
    @Option(help: "Keep the tenant in this directory, so a restarted sandbox has it again (in memory when absent).") var data: String?
    @Option(help: "Seed a new tenant from this JSON fixture (users, keys, OAuth clients, spaces, apps, data files; see the README).") var fixture: String?
    @Option(help: "Add an app with a generated table of this many rows, for benchmarks (deterministic from --generate-seed).") var generateRows: Int?
    @Option(help: "Columns of the generated table.") var generateColumns: Int = 10
    @Option(help: "Add this many apps for catalog benchmarks, each with 5 sheets of 6 charts, 20 master items and a 20-table data model.") var generateCatalogApps: Int?
    @Option(help: "Seed of the generated table's values.") var generateSeed: UInt64 = 1
    @Option(name: .customLong("env-file"), help: "Once the port is bound, write the address and credentials here as shell 'export' lines (QLIK_SANDBOX_URL, QLIK_SANDBOX_API_KEY, ...), for '. FILE'.")
    var environmentFile: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535.") }
        guard (0...1).contains(faultServerErrors), (0...1).contains(faultRateLimited), faultServerErrors + faultRateLimited <= 1 else {
            throw ValidationError("--fault-server-errors and --fault-rate-limited are shares from 0 to 1, together at most 1.")
        }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together.") }
        guard tokenLifetime > 0, faultLatencyMs >= 0, faultEngineLatencyMs >= 0 else {
            throw ValidationError("--token-lifetime must be positive, and --fault-latency-ms and --fault-engine-latency-ms not negative.")
        }
        guard (generateRows ?? 0) >= 0, (1...1000).contains(generateColumns) else {
            throw ValidationError("--generate-rows takes 0 or more rows and --generate-columns 1 to 1000 columns.")
        }
        if let count = generateCatalogApps, !(1...100_000).contains(count) { throw ValidationError("--generate-catalog-apps takes 1 to 100000 apps; got \(count).") }
    }

    func run() async throws {
        if let environmentFile {
            let folder = URL(fileURLWithPath: environmentFile).deletingLastPathComponent().path
            guard FileManager.default.isWritableFile(atPath: folder) else {
                throw CLIError.usage("--env-file \(environmentFile): the folder \(folder) does not exist or cannot be written to.")
            }
            // An earlier sandbox's file would send a script waiting for this one to a tenant that is gone.
            if FileManager.default.fileExists(atPath: environmentFile) {
                do {
                    try FileManager.default.removeItem(atPath: environmentFile)
                } catch {
                    throw CLIError.usage("--env-file \(environmentFile): an earlier file there cannot be removed (\(error.localizedDescription)).")
                }
            }
        }
        var faults = SandboxFaults(latency: .milliseconds(faultLatencyMs), serverErrorShare: faultServerErrors, rateLimitShare: faultRateLimited,
                                   dropWebSocketAfterMessages: faultDropWebSocketAfter, tokenValidity: faultTokenValidity.map { .seconds($0) })
        faults.engineMessageLatency = .milliseconds(faultEngineLatencyMs)
        let configuration = SandboxConfiguration(host: host, port: port, accessTokenLifetime: .seconds(tokenLifetime), faults: faults,
                                                 tlsCertificatePath: tlsCert, tlsKeyPath: tlsKey)
        let sandbox: QlikCloudSandbox
        do {
            sandbox = try await QlikCloudSandbox.open(configuration: configuration, dataDirectory: data, fixture: try fixture.map(SandboxFixture.load))
        } catch {
            throw CLIError.usage(error.description)
        }
        var generated: String?
        if let rows = generateRows {
            // Named by its shape, so a sandbox restarted on the same --data finds it instead of adding another.
            let name = "Generated \(rows)x\(generateColumns) seed \(generateSeed)"
            if let existing = await sandbox.appID(named: name) {
                generated = existing
            } else {
                generated = await sandbox.addGeneratedApp(name: name, rows: rows, columns: generateColumns, seed: generateSeed)
            }
        }
        if let count = generateCatalogApps { _ = await sandbox.addCatalogApps(count: count) }
        let generatedApp = generated
        let asJSON = json
        let environment = environmentFile.map(SandboxEnvironmentFile.init(path:))
        let announce: @Sendable (SandboxCredentials) async -> Void = { credentials in
            do {
                try environment?.write(credentials, generatedAppID: generatedApp)
            } catch {
                Terminal.current.errorText("error: \(error)\n")
            }
            let text: String
            if asJSON {
                let app = generatedApp.map { #","generatedAppID":"\#($0)""# } ?? ""
                text = #"{"baseURL":"\#(credentials.baseURL)","apiKey":"\#(credentials.apiKey)","clientID":"\#(credentials.clientID)","clientSecret":"\#(credentials.clientSecret)"\#(app)}"# + "\n"
            } else {
                // These are the sandbox's own throwaway credentials, printed so a demo can use them.
                text = """
                    Qlik Cloud sandbox tenant at \(credentials.baseURL)
                    API key:             \(credentials.apiKey)
                    OAuth client id:     \(credentials.clientID)
                    OAuth client secret: \(credentials.clientSecret)
                    \(generatedApp.map { "Generated app id:    \($0)\n" } ?? "")Stop with Ctrl-C.

                    """
            }
            // Unbuffered, so a script reading the output sees it while the sandbox keeps running.
            Terminal.current.write(text)
        }
        try await ListeningPort.serve(on: port) { try await sandbox.run(onReady: announce) }
    }
}
