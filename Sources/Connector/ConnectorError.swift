import QlikCloudAPI

/// Why a catalog, read, write or reload did not do what was asked.
public enum ConnectorError: Error, Sendable, CustomStringConvertible {
    /// The user named something that does not exist or gave unusable input (exit code 2).
    case badInput(String)
    /// The work failed on the way (exit code 1).
    case failed(String)

    public var description: String {
        switch self {
        case .badInput(let message), .failed(let message): message
        }
    }

    public var isUsageError: Bool {
        if case .badInput = self { return true }
        return false
    }
}
