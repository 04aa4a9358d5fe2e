public import Foundation
import Logging
import Runtime

/// Where a command's words go and what it reads: its answer on standard
/// output, what it says along the way on standard error, secrets piped on
/// standard input, and the environment variables it consults. A task-local,
/// so the command library runs in-process in tests, each run with its own
/// terminal, side by side; the executable uses the process's own.
public struct Terminal: Sendable {
    let output: @Sendable (Data) -> Void
    let errors: @Sendable (Data) -> Void
    let input: @Sendable () -> Data
    /// The environment variables commands read (QLIK_CONNECTOR_*, USER, and the ones `env:` secret sources name).
    public let environment: [String: String]
    /// Whether a person types at standard input: a secret asked for there is then prompted for with echo off.
    let isInteractive: Bool
    /// Whether this is the process's own terminal, whose log lines keep swift-log's standard format.
    private let isProcess: Bool

    /// A terminal of the caller's: nobody types at it, and everything written goes to `output` and `errors`.
    public init(environment: [String: String], input: @escaping @Sendable () -> Data, output: @escaping @Sendable (Data) -> Void,
                errors: @escaping @Sendable (Data) -> Void) {
        self.init(environment: environment, isInteractive: false, isProcess: false, input: input, output: output, errors: errors)
    }

    private init(environment: [String: String], isInteractive: Bool, isProcess: Bool, input: @escaping @Sendable () -> Data,
                 output: @escaping @Sendable (Data) -> Void, errors: @escaping @Sendable (Data) -> Void) {
        self.environment = environment
        self.isInteractive = isInteractive
        self.isProcess = isProcess
        self.input = input
        self.output = output
        self.errors = errors
    }

    /// The process's standard streams and environment.
    public static let standard = Terminal(environment: ProcessInfo.processInfo.environment, isInteractive: isatty(STDIN_FILENO) == 1, isProcess: true,
                                          input: { FileHandle.standardInput.readDataToEndOfFile() },
                                          output: { FileHandle.standardOutput.write($0) },
                                          errors: { FileHandle.standardError.write($0) })

    @TaskLocal public static var current = Terminal.standard

    /// One line of the command's answer.
    func line(_ text: String) { output(Data((text + "\n").utf8)) }

    /// Text of the command's answer as it is, for output that brings its own line ends.
    func write(_ text: String) { output(Data(text.utf8)) }

    func write(_ data: Data) { output(data) }

    /// One line on standard error: progress, notices and errors.
    func error(_ text: String) { errors(Data((text + "\n").utf8)) }

    /// Text on standard error as it is: a prompt, a progress bar redrawn with a carriage return.
    func errorText(_ text: String) { errors(Data(text.utf8)) }

    /// Everything piped in, for a secret given on standard input.
    func readInput() -> Data { input() }

    /// One line typed or piped in (an answer to a question), without its line end; nil at the end of input.
    func readLine() -> String? {
        if isProcess { return Swift.readLine(strippingNewline: true) }
        let text = String(decoding: input(), as: UTF8.self)
        return text.isEmpty ? nil : text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
    }

    /// A logger writing to this terminal's standard error, escaping control characters (see ``EscapingLogHandler``).
    func logger(label: String) -> Logger {
        if isProcess { return Logger.escapingStandardError(label: label) }
        let errors = errors
        return Logger(label: label) { EscapingLogHandler(wrapping: TerminalLogHandler(label: $0, write: errors)) }
    }
}

/// Log lines as swift-log's stream handler writes them, to a terminal that is not the process's own.
private struct TerminalLogHandler: LogHandler {
    let label: String
    let write: @Sendable (Data) -> Void
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let shown = merged.isEmpty ? "" : " " + merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        write(Data("\(Date().formatted(.iso8601)) \(event.level) \(label):\(shown) \(event.message)\n".utf8))
    }
}
