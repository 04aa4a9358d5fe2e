/// Reading the engine's JSON-RPC messages with ``EngineJSONScanner``: no NIO
/// here, so the fuzzer (scripts/fuzz-engine-pages) compiles it with the page parser alone.
enum EngineMessage {
    /// A response's id, or a notification's method. Stops as soon as the id is
    /// read: the engine writes it before the (possibly large) result.
    static func route(_ bytes: UnsafeRawBufferPointer) throws -> (id: Int?, method: String?) {
        var scanner = EngineJSONScanner(bytes)
        try scanner.expect(UInt8(ascii: "{"))
        var method: String?
        if scanner.consume(UInt8(ascii: "}")) { return (nil, nil) }
        repeat {
            let key = try scanner.readRawString()
            try scanner.expect(UInt8(ascii: ":"))
            if key.equals("id") {
                if scanner.peek() == UInt8(ascii: "n") { try scanner.skipValue(); continue }
                return (try scanner.readInt(), method)
            } else if key.equals("method") {
                method = try scanner.readString()
            } else {
                try scanner.skipValue()
            }
        } while scanner.consume(UInt8(ascii: ","))
        return (nil, method)
    }

    static func error(_ scanner: inout EngineJSONScanner, method: String) throws -> EngineError {
        try scanner.expect(UInt8(ascii: "{"))
        var code = 0, parameter = "", message = ""
        try scanner.forEachKey { scanner, key in
            if key.equals("code") { code = try scanner.readInt() }
            else if key.equals("parameter") { parameter = try scanner.readString() }
            else if key.equals("message") { message = try scanner.readString() }
            else { try scanner.skipValue() }
        }
        return .rpc(code: code, parameter: parameter, message: message, method: method)
    }
}

/// The message router, reachable by the fuzzer's replay build without a socket.
public enum EngineMessageProbe {
    /// A response's id, or a notification's method, as the connection routes it.
    public static func route(_ bytes: UnsafeRawBufferPointer) throws -> (id: Int?, method: String?) {
        try EngineMessage.route(bytes)
    }
}
