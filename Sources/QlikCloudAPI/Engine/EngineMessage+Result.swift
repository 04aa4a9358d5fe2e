import Foundation
import NIOCore
import NIOFoundationCompat

/// Answers other than pages, decoded whole: they are small.
extension EngineMessage {
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
