public import Foundation
#if canImport(Glibc)
import Glibc
#endif
import QlikConnectorCLI
public import TestProcesses
import Synchronization
public import Testing

/// Runs the built `qlik-connector` binary as a user would, in a data folder
/// of its own, and keeps everything it printed so tests can search it.
///
/// Tests run commands on one harness from many tasks at once (20 concurrent creates), so what they share, the
/// environment and the transcript, is behind a lock: unguarded, two runs finishing together appended to one String
/// at once, corrupting the heap, and the test process crashed later somewhere unrelated (Process.run, JSONDecoder).
public final class CommandLineHarness: Sendable {
    /// How commands run: through the command library in this process (CLITests), or as the built binary (EndToEndTests).
    public enum Mode: Sendable {
        case inProcess, binary
    }

    public struct Run: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String

        public func json<T: Decodable>(_ type: T.Type) throws -> T {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(type, from: Data(stdout.utf8))
        }
    }

    public let mode: Mode
    public let home: String
    private let shared: Mutex<(environment: [String: String], transcript: String)>

    /// The environment every command starts with (a run's `environment:` adds to it).
    public var environment: [String: String] {
        get { shared.withLock { $0.environment } }
        set { shared.withLock { $0.environment = newValue } }
    }

    /// Every command run and everything it printed, in the order the runs ended.
    public var transcript: String { shared.withLock { $0.transcript } }

    private func record(_ text: String) { shared.withLock { $0.transcript += text } }

    public init(mode: Mode) throws {
        self.mode = mode
        home = NSTemporaryDirectory() + "qc-cli-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        for key in environment.keys where key.hasPrefix("QLIK_CONNECTOR_") { environment[key] = nil }
        environment["QLIK_CONNECTOR_HOME"] = home
        shared = Mutex((environment: environment, transcript: ""))
    }

    public static var binary: String {
        get throws {
            let candidates = [
                URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("qlik-connector").path,
                URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent(".build/debug/qlik-connector").path,
            ]
            guard let found = candidates.first(where: FileManager.default.isExecutableFile(atPath:)) else {
                throw HarnessError(message: "qlik-connector is not built; run 'swift build --build-tests' first (looked in \(candidates))")
            }
            return found
        }
    }

    public struct HarnessError: Error, CustomStringConvertible {
        public let message: String
        public var description: String { message }
        public init(message: String) { self.message = message }
    }

    /// Runs one command to completion: in-process, the command library with a terminal of its own (a command that
    /// reaches a tenant, a secrets manager or the network, or streams standard input and output, is refused: its test
    /// belongs in EndToEndTests); as the binary, end to end.
    @discardableResult
    public func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) async throws -> Run {
        guard mode == .inProcess else { return try await runBinary(arguments, stdin: stdin, environment: extra) }
        guard Self.runsInProcess(arguments) else {
            throw HarnessError(message: "'\(arguments.prefix(2).joined(separator: " "))' runs end to end: its test belongs in EndToEndTests")
        }
        let output = CapturedStream(), errors = CapturedStream()
        let terminal = Terminal(environment: environment.merging(extra) { $1 }, input: { Data((stdin ?? "").utf8) },
                                output: output.append, errors: errors.append)
        let status = await Terminal.$current.withValue(terminal) { await QlikConnectorCLI.run(arguments: arguments) }
        let run = Run(status: status, stdout: output.text, stderr: errors.text)
        record("$ qlik-connector \(arguments.joined(separator: " "))\n\(run.stdout)\(run.stderr)")
        return run
    }

    /// Whether `arguments` name a command that touches nothing but the repository and the master key (or only parses:
    /// help, version, a mistyped command). The others reach a tenant, a secrets manager or the network, serve, or
    /// stream standard input and output.
    public static func runsInProcess(_ arguments: [String]) -> Bool {
        let subcommand = arguments.dropFirst().first ?? ""
        switch arguments.first ?? "" {
        case "discover", "read", "write", "reload", "airbyte", "qvd", "sandbox", "serve": return false
        case "connection": return !["test", "check-use"].contains(subcommand)
        case "agent": return ["create", "list", "credentials"].contains(subcommand)
        default: return true
        }
    }

    /// Runs the built binary to completion (ChildProcess: output through files, waited for without holding a thread
    /// that concurrently running tests and any sandbox they serve share).
    @discardableResult
    public func runBinary(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) async throws -> Run {
        let output = try await ChildProcess.run(try Self.binary, arguments, environment: environment.merging(extra) { $1 },
                                                input: Data((stdin ?? "").utf8))
        let run = Run(status: output.status, stdout: output.text, stderr: output.errors)
        record("$ qlik-connector \(arguments.joined(separator: " "))\n\(run.stdout)\(run.stderr)")
        return run
    }

    /// A command that keeps running (the sandbox): started, read line by line, then stopped with SIGTERM.
    public final class Server: @unchecked Sendable {
        public let process: ChildProcess
        private var lines: AsyncStream<String>.Iterator

        init(process: ChildProcess, lines: AsyncStream<String>) {
            self.process = process
            self.lines = lines.makeAsyncIterator()
        }

        /// A test that failed before `stop()` (a `#require` threw) does not leave the command running after it.
        deinit { process.signal() }

        /// The next line the command printed, or nil once its output ended.
        public func nextLine() async -> String? { await lines.next() }

        /// Stops the command as Ctrl-C would and waits for it; returns its exit status.
        public func stop() async -> Int32 {
            process.signal()
            return await process.status()
        }
    }

    public func start(_ arguments: [String]) throws -> Server {
        let pipeEnds = try ChildProcess.pipe()
        let process: ChildProcess
        do {
            process = try ChildProcess(try Self.binary, arguments, environment: environment, standardOutput: pipeEnds[1])
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            throw error
        }
        close(pipeEnds[1])
        let (lines, sink) = AsyncStream.makeStream(of: String.self)
        let reader = pipeEnds[0]
        // A thread of its own reads the command's output until it ends, a line at a time.
        Thread.detachNewThread {
            var pending = [UInt8](), chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(reader, $0.baseAddress!, $0.count) }
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                pending += chunk[0..<count]
                while let newline = pending.firstIndex(of: 0x0A) {
                    sink.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            close(reader)
            sink.finish()
        }
        record("$ qlik-connector \(arguments.joined(separator: " ")) &\n")
        return Server(process: process, lines: lines)
    }

    /// Runs a command that must succeed, recording its output on failure.
    @discardableResult
    public func succeed(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:],
                 sourceLocation: SourceLocation = #_sourceLocation) async throws -> Run {
        let run = try await run(arguments, stdin: stdin, environment: extra)
        #expect(run.status == 0, "\(arguments) exited \(run.status): \(run.stderr)", sourceLocation: sourceLocation)
        return run
    }

    /// Writes a file in the harness folder, owner-only, and returns its path.
    public func file(_ name: String, _ contents: String) throws -> String {
        let path = home + "/" + name
        guard FileManager.default.createFile(atPath: path, contents: Data(contents.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw HarnessError(message: "cannot write \(path)")
        }
        return path
    }

    public var databasePath: String { home + "/qlik-connector.sqlite" }
    public var masterKeyPath: String { home + "/master.key" }

    /// Every byte the repository has on disk: the database and its journals.
    public func repositoryBytes() throws -> Data {
        var bytes = Data()
        for suffix in ["", "-wal", "-shm", "-journal"] where FileManager.default.fileExists(atPath: databasePath + suffix) {
            bytes += try Data(contentsOf: URL(fileURLWithPath: databasePath + suffix))
        }
        return bytes
    }
}

/// The JSON shapes the CLI prints, as a script would read them.
public struct ConnectionJSON: Decodable, Sendable {
    public struct Credential: Decodable, Sendable {
        public let source: String
        public let value: String?
        public let reference: String?
    }
    public struct Authentication: Decodable, Sendable {
        public let type: String
        public let baseURL: String
        public let accessToken: Credential?
        public let clientID: Credential?
        public let clientSecret: Credential?
    }
    public let id: String
    public let name: String
    public let description: String?
    public let runtimeEnvironment: String
    public let useSecretVault: Bool
    public let authentication: Authentication
    public let permittedUses: [String]
}

public struct OrganizationJSON: Decodable, Sendable {
    public let id: String
    public let name: String
    public let credentialStorage: String
}

/// What an in-process command wrote to one of its streams.
final class CapturedStream: Sendable {
    private let bytes = Mutex(Data())

    @Sendable func append(_ data: Data) { bytes.withLock { $0.append(data) } }

    var text: String { String(decoding: bytes.withLock { $0 }, as: UTF8.self) }
}
