import Connector
import Foundation
import QVD
public import QlikCloudAPI
import Secrets

/// What a read task did, as its result.
public struct ReadResult: Codable, Sendable, Equatable {
    /// Relative to the runtime environment's files folder; absolute only for the command line's own tasks.
    public let path: String
    public let table: String
    public let rows: Int
    public let fields: [String]
    public let types: [String]
    public let reconnects: Int
    /// Rows identical in every field read came out once (a hypercube's distinct rows).
    public let mergedRows: Int
    /// The selections the rows are associated with; nil for a whole table.
    public let selections: [FieldSelection]?
}

/// One reload, as a reload or write task reports it.
public struct ReloadResult: Codable, Sendable, Equatable {
    public let app: String
    public let id: String
    public let status: String
    /// Whether the reload had ended when the task did.
    public let final: Bool
    public let succeeded: Bool
    /// Kept only for reloads that failed: the place to read why.
    public let log: String?

    init(app: String, reload: Reload) {
        self.app = app
        id = reload.id
        status = reload.status.rawValue
        final = reload.status.isFinal
        succeeded = reload.status == .succeeded
        log = reload.status.isFinal && reload.status != .succeeded ? (reload.log ?? "(no log)") : nil
    }

    /// Ended, and not well.
    public var failed: Bool { final && !succeeded }
}

/// What a write task did, as its result.
public struct WriteResult: Codable, Sendable, Equatable {
    public struct DataFileEntry: Codable, Sendable, Equatable {
        public let id: String
        public let name: String
        public let size: Int64
    }

    public let dataFile: DataFileEntry
    public let format: String
    public let replaced: Bool
    public let throughTempContent: Bool
    public let reloads: [ReloadResult]
}

/// The result of a task that stopped on an error: whether the error was in
/// what was asked (a name that does not exist, a malformed file) or in the
/// doing (the tenant refused, the network failed).
public struct TaskFailureResult: Codable, Sendable, Equatable {
    public let inputError: Bool

    /// As JSON; written by hand since one Boolean cannot fail to encode.
    var encoded: Data { Data(#"{"inputError":\#(inputError)}"#.utf8) }
}

/// A task's error in words, and which kind of failure it is.
enum TaskErrors {
    static func describe(_ error: any Error) -> (message: String, inputError: Bool) {
        switch error {
        case let error as ConnectorError: (error.description, error.isUsageError)
        case let error as QVDError: (error.description, [.invalidInput, .unknownField].contains(error.kind))
        case let error as TableReader.Failure: (error.description, true)
        case let error as FieldSelection.Invalid: (error.description, true)
        case let error as TaskParameterError: (error.description, true)
        case let error as QlikAPIError: (error.description, false)
        case let error as EngineError: (error.description, false)
        case let error as SecretsError: (error.userFacingDescription, error.isUsageError)
        case let error as any CustomStringConvertible: (error.description, false)
        default: ("\(error)", false)
        }
    }
}
