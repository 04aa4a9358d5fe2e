import Foundation
import QlikConnections

/// Where a secret value is read from. Never the command line itself: every
/// user of the machine can read another's arguments in the process list.
enum SecretSource: Equatable {
    case file(String)
    case environment(String)
    case standardInput

    static let expectedForm = "file:PATH, env:VARIABLE or stdin"

    init(_ text: String, option: String) throws {
        if text == "stdin" || text == "-" {
            self = .standardInput
        } else if text.hasPrefix("file:"), text.count > 5 {
            self = .file(String(text.dropFirst(5)))
        } else if text.hasPrefix("env:"), text.count > 4 {
            self = .environment(String(text.dropFirst(4)))
        } else {
            // Deliberately not echoing the text: it may be the secret itself.
            throw CLIError.usage("--\(option) takes where to read the secret from (\(Self.expectedForm)), never the secret itself.")
        }
    }

    func read(label: String) throws -> Secret {
        let text: String
        switch self {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CLIError.usage("Cannot read \(label) from file \(path): it does not exist or is not readable.")
            }
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw CLIError.usage("The file \(path) given for \(label) is not UTF-8 text.")
            }
            text = decoded
        case .environment(let name):
            guard let value = Terminal.current.environment[name] else {
                throw CLIError.usage("The environment variable \(name) given for \(label) is not set.")
            }
            text = value
        case .standardInput where Terminal.current.isInteractive:
            text = try Self.promptWithoutEcho(label)
        case .standardInput:
            let data = Terminal.current.readInput()
            guard let decoded = String(data: data, encoding: .utf8) else {
                throw CLIError.usage("Standard input given for \(label) is not UTF-8 text.")
            }
            text = decoded
        }
        guard let secret = Secret(text) else {
            throw CLIError.usage("\(label) read from \(self.label) is empty.")
        }
        return secret
    }

    var label: String {
        switch self {
        case .file(let path): "file \(path)"
        case .environment(let name): "environment variable \(name)"
        case .standardInput: "standard input"
        }
    }

    /// At a terminal, asks for the value with echo off, so it never shows on screen.
    private static func promptWithoutEcho(_ label: String) throws -> String {
        var original = termios()
        guard tcgetattr(STDIN_FILENO, &original) == 0 else {
            throw CLIError.failure("Cannot read \(label) from the terminal: \(String(cString: strerror(errno))).")
        }
        var silent = original
        silent.c_lflag &= ~tcflag_t(ECHO)
        Terminal.current.errorText("\(label): ")
        tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        defer {
            tcsetattr(STDIN_FILENO, TCSANOW, &original)
            Terminal.current.errorText("\n")
        }
        return readLine(strippingNewline: true) ?? ""
    }
}
