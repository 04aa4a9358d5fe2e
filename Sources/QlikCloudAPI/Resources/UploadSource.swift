import Foundation
public import NIOCore

/// Bytes to upload: in memory, or a file read in chunks so its size does not
/// matter. Each attempt reads it again from the start.
public enum UploadSource: Sendable {
    case bytes(ByteBuffer)
    case file(path: String)

    public func size() throws(QlikAPIError) -> Int64 {
        switch self {
        case .bytes(let buffer): return Int64(buffer.readableBytes)
        case .file(let path):
            do {
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                return (attributes[.size] as? NSNumber)?.int64Value ?? 0
            } catch {
                throw QlikAPIError(kind: .badRequest, operation: "Reading \(path)", message: "The file \(path) cannot be read: \(error.localizedDescription)")
            }
        }
    }

    /// The bytes as a stream of chunks, framed by `prefix` and `suffix`.
    func stream(prefix: ByteBuffer = ByteBuffer(), suffix: ByteBuffer = ByteBuffer()) -> AsyncThrowingStream<ByteBuffer, any Error> {
        let source = self
        return AsyncThrowingStream { continuation in
            if prefix.readableBytes > 0 { continuation.yield(prefix) }
            switch source {
            case .bytes(let buffer):
                continuation.yield(buffer)
            case .file(let path):
                guard let handle = FileHandle(forReadingAtPath: path) else {
                    continuation.finish(throwing: QlikAPIError(kind: .badRequest, operation: "Reading \(path)", message: "The file \(path) cannot be opened."))
                    return
                }
                defer { try? handle.close() }
                while true {
                    let chunk: Data
                    do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    if chunk.isEmpty { break }
                    continuation.yield(ByteBuffer(bytes: chunk))
                }
            }
            if suffix.readableBytes > 0 { continuation.yield(suffix) }
            continuation.finish()
        }
    }
}
