/// What the engine refused, or why the session ended.
public enum EngineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A JSON-RPC error answer: Qlik's code, the parameter it names, its message.
    case rpc(code: Int, parameter: String, message: String, method: String)
    /// The socket closed or dropped; pending requests are lost.
    case connectionLost(String)
    /// The WebSocket upgrade was refused (usually 401/403 or an unknown app).
    case upgradeRefused(String)
    case timeout(String)
    case malformed(String)
    /// A setting of the engine client (such as its per-call deadline) cannot be used.
    case invalidSetting(String)

    public var description: String {
        switch self {
        case .rpc(let code, let parameter, let message, let method):
            "The engine refused \(method): \(message) (error \(code)\(parameter.isEmpty ? "" : ", \(parameter)"))"
        case .connectionLost(let reason): "The engine session ended: \(reason)"
        case .upgradeRefused(let reason): "The engine did not open a session: \(reason)"
        case .timeout(let what): "The engine did not answer in time: \(what)"
        case .malformed(let what): "The engine sent something unreadable: \(what)"
        case .invalidSetting(let what): "The engine client's setting is not valid: \(what)"
        }
    }

    public var isConnectionLost: Bool {
        if case .connectionLost = self { return true }
        return false
    }
}
