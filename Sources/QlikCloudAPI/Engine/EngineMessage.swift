import Foundation
import NIOCore
import NIOFoundationCompat

/// Reading the engine's JSON-RPC messages.
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

    private struct Envelope<Result: Decodable>: Decodable {
        struct Failure: Decodable {
            let code: Int?
            let parameter: String?
            let message: String?
        }
        let result: Result?
        let error: Failure?
    }

    /// A response's `result` as `T`, or the engine's error.
    static func result<T: Decodable>(_ buffer: ByteBuffer, as type: T.Type, method: String) throws(EngineError) -> T {
        let envelope: Envelope<T>
        do {
            envelope = try JSONDecoder().decode(Envelope<T>.self, from: Data(buffer: buffer))
        } catch {
            throw .malformed("the answer to \(method) is not what Qlik documents: \(error)")
        }
        if let failure = envelope.error {
            throw .rpc(code: failure.code ?? 0, parameter: failure.parameter ?? "", message: failure.message ?? "", method: method)
        }
        guard let result = envelope.result else { throw .malformed("the answer to \(method) has neither result nor error") }
        return result
    }
}
