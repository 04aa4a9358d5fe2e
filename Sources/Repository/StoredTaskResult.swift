import CompressNIO
import Foundation
import NIOCore
import NIOFoundationCompat

/// A task's result as the tasks table keeps it: a small one as its text (column `result`), a large one gzip-compressed
/// (column `result_gzip`, `result` then NULL). A thousand apps' catalog is tens of megabytes of very repetitive JSON;
/// bound and written as text, the database copies held it four times over in the worker's memory, compressed a tenth.
/// Every reader gets the same bytes back either way (``data``); rows written before the column existed hold text.
struct StoredTaskResult {
    /// Results from this size on are compressed; below it, text as always (most results: reports and summaries).
    static let compressionThreshold = 64 * 1024

    let text: String?
    let gzip: Data?

    init(text: String?, gzip: Data?) {
        self.text = text
        self.gzip = gzip
    }

    init(_ result: Data?) throws {
        guard let result else {
            self.init(text: nil, gzip: nil)
            return
        }
        guard result.count >= Self.compressionThreshold else {
            self.init(text: String(decoding: result, as: UTF8.self), gzip: nil)
            return
        }
        self.init(text: nil, gzip: try Self.compress(result))
    }

    /// The result as the task gave it.
    func data(task: String) throws -> Data? {
        if let text { return Data(text.utf8) }
        guard let gzip else { return nil }
        do {
            return try Self.decompress(gzip)
        } catch {
            throw RepositoryError.corrupt(reason: "task \(task)'s compressed result (column result_gzip, \(gzip.count) bytes) does not inflate: \(error)")
        }
    }

    /// Piece by piece, so neither the text nor its compressed form is copied whole on the way.
    static func compress(_ data: Data) throws -> Data {
        do {
            let compressor = try ZlibCompressor(algorithm: .gzip)
            var window = ByteBuffer()
            window.reserveCapacity(Self.piece)
            var output = Data()
            var input = ByteBuffer()
            input.reserveCapacity(Self.piece)
            func drainIfFull() {
                guard window.writableBytes == 0 else { return }
                output.append(contentsOf: window.readableBytesView)
                window.clear()
            }
            var start = data.startIndex
            while start < data.endIndex {
                let end = min(start + Self.piece, data.endIndex)
                input.clear()
                input.writeBytes(data[start..<end])
                start = end
                // With input and room for output, zlib always moves forward, so this ends.
                while input.readableBytes > 0 {
                    drainIfFull()
                    try compressor.deflate(from: &input, to: &window, flush: .no)
                }
            }
            // The rest of zlib's pending output, then the gzip trailer.
            while true {
                drainIfFull()
                do {
                    try compressor.deflate(from: &input, to: &window, flush: .finish)
                    break
                } catch let error as CompressNIOError where error == .bufferOverflow {
                    continue
                }
            }
            output.append(contentsOf: window.readableBytesView)
            return output
        } catch {
            throw RepositoryError.storage(reason: "a task's result (\(data.count) bytes) could not be compressed: \(error)")
        }
    }

    static func decompress(_ gzip: Data) throws -> Data {
        // gzip's trailer holds the original size (modulo 2^32): the output is allocated once. A damaged trailer cannot claim more
        // than deflate can expand (1032:1).
        guard gzip.count >= 18 else { throw CompressNIOError.corruptData }
        let trailer = gzip.suffix(4)
        let claimed = trailer.reversed().reduce(0) { $0 << 8 | Int($1) }
        var input = ByteBuffer(data: gzip)
        var output = ByteBuffer()
        output.reserveCapacity(min(claimed, gzip.count * 1032) + 1)
        let decompressor = try ZlibDecompressor(algorithm: .gzip)
        while true {
            do {
                try decompressor.inflate(from: &input, to: &output)
                break
            } catch let error as CompressNIOError where error == .bufferOverflow {
                output.reserveCapacity(minimumWritableBytes: Self.piece)
            }
        }
        // zlib checked the CRC and size at the stream's end; text that stops early or runs on is refused here.
        guard input.readableBytes == 0, output.readableBytes & 0xFFFF_FFFF == claimed else { throw CompressNIOError.corruptData }
        // The buffer's storage becomes the Data's: the result is never held twice.
        return output.getData(at: output.readerIndex, length: output.readableBytes, byteTransferStrategy: .noCopy) ?? Data()
    }

    private static let piece = 256 * 1024
}
