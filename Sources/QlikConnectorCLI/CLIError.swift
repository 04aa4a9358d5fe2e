/// A command's own refusal, worded for the person at the terminal.
struct CLIError: Error, CustomStringConvertible {
    enum Kind {
        /// The user asked for something malformed or forbidden: exit code 2.
        case usage
        /// Something failed while doing what was asked: exit code 1.
        case failure
    }

    let kind: Kind
    let description: String

    static func usage(_ message: String) -> CLIError { CLIError(kind: .usage, description: message) }
    static func failure(_ message: String) -> CLIError { CLIError(kind: .failure, description: message) }
}
