import Foundation

/// Airbyte protocol messages, one JSON object per line on standard output.
public enum AirbyteMessage {
    public static func line(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    public static func log(_ message: String, level: String = "INFO") -> String {
        line(["type": "LOG", "log": ["level": level, "message": message]])
    }

    public static func connectionStatus(succeeded: Bool, message: String) -> String {
        line(["type": "CONNECTION_STATUS", "connectionStatus": ["status": succeeded ? "SUCCEEDED" : "FAILED", "message": message]])
    }

    public static func error(_ message: String, configError: Bool) -> String {
        line(["type": "TRACE", "trace": ["type": "ERROR", "emitted_at": now,
                                         "error": ["message": message, "failure_type": configError ? "config_error" : "system_error"]]])
    }

    public static func streamStatus(stream: String, namespace: String?, status: String) -> String {
        var descriptor: [String: Any] = ["name": stream]
        descriptor["namespace"] = namespace
        return line(["type": "TRACE", "trace": ["type": "STREAM_STATUS", "emitted_at": now,
                                                "stream_status": ["stream_descriptor": descriptor, "status": status]]])
    }

    public static func state(stream: String, namespace: String?, state: [String: Any]) -> String {
        var descriptor: [String: Any] = ["name": stream]
        descriptor["namespace"] = namespace
        return line(["type": "STATE", "state": ["type": "STREAM", "stream": ["stream_descriptor": descriptor, "stream_state": state]]])
    }
}
