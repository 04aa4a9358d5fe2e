import Foundation
public import NIOCore

/// Bytes to upload: in memory, or a file read a chunk at a time as the
/// connection takes them, so an upload's memory does not grow with its
/// size. Each attempt reads it again from the start.
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

    /// The bytes as chunks, framed by `prefix` and `suffix`, each checked by a fresh `validator` if one is given.
    func chunks(prefix: ByteBuffer = ByteBuffer(), suffix: ByteBuffer = ByteBuffer(),
                validator: (@Sendable () -> any UploadValidator)? = nil) -> UploadChunks {
        UploadChunks(prefix: prefix, source: self, suffix: suffix, validator: validator)
    }
}

/// Looks at an upload's bytes as they go, and stops it by throwing: an
/// incomplete request body changes nothing on the tenant.
public protocol UploadValidator: AnyObject {
    func consume(_ bytes: UnsafeRawBufferPointer) throws
    func finish() throws
}

/// An upload body pulled chunk by chunk: the file is read only when the
/// connection is ready for more.
public struct UploadChunks: AsyncSequence, Sendable {
    public typealias Element = ByteBuffer
    let prefix: ByteBuffer
    let source: UploadSource
    let suffix: ByteBuffer
    let validator: (@Sendable () -> any UploadValidator)?

    static let chunkSize = 1 << 20

    public final class AsyncIterator: AsyncIteratorProtocol {
        private enum Stage { case prefix, body, suffix, done }
        private var stage = Stage.prefix
        private let chunks: UploadChunks
        private var handle: FileHandle?
        private let validator: (any UploadValidator)?

        init(_ chunks: UploadChunks) {
            self.chunks = chunks
            validator = chunks.validator?()
        }

        deinit { try? handle?.close() }

        public func next() async throws -> ByteBuffer? {
            while true {
                switch stage {
                case .prefix:
                    stage = .body
                    if chunks.prefix.readableBytes > 0 { return chunks.prefix }
                case .body:
                    if let chunk = try readBody() {
                        try chunk.withUnsafeReadableBytes { try validator?.consume($0) }
                        return chunk
                    }
                    try validator?.finish()
                    stage = .suffix
                case .suffix:
                    stage = .done
                    if chunks.suffix.readableBytes > 0 { return chunks.suffix }
                case .done:
                    return nil
                }
            }
        }

        private func readBody() throws -> ByteBuffer? {
            switch chunks.source {
            case .bytes(let buffer):
                guard handle == nil, buffer.readableBytes > 0, stage == .body else { return nil }
                stage = .suffix
                return buffer
            case .file(let path):
                if handle == nil {
                    guard let opened = FileHandle(forReadingAtPath: path) else {
                        throw QlikAPIError(kind: .badRequest, operation: "Reading \(path)", message: "The file \(path) cannot be opened.")
                    }
                    handle = opened
                }
                guard let data = try handle?.read(upToCount: UploadChunks.chunkSize), !data.isEmpty else { return nil }
                return ByteBuffer(data: data)
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(self) }
}

import NIOFoundationCompat
