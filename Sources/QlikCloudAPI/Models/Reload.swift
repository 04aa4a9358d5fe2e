/// A reload (`Reload`): queued, running, or done with a log.
public struct Reload: Decodable, Sendable, Equatable {
    public enum Status: String, Decodable, Sendable {
        case queued = "QUEUED", reloading = "RELOADING", canceling = "CANCELING"
        case succeeded = "SUCCEEDED", failed = "FAILED", canceled = "CANCELED", exceededLimit = "EXCEEDED_LIMIT"

        public var isFinal: Bool { ![.queued, .reloading, .canceling].contains(self) }
    }

    public let id: String
    public let appId: String
    public let status: Status
    public let userId: String?
    public let type: String?
    public let partial: Bool?
    public let creationTime: String?
    public let startTime: String?
    public let endTime: String?
    public let errorCode: String?
    public let errorMessage: String?
    public let log: String?
}

/// `GET /api/v1/temp-contents/{id}/details`; Qlik sends `Size` as text.
public struct TempContentDetails: Decodable, Sendable, Equatable {
    public let ID: String?
    public let Name: String?
    public let Size: String?
    public let Expires: String?
}
