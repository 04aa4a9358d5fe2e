import Foundation

/// Reads RFC 4180 CSV (quoted fields, doubled quotes, CRLF or LF, line
/// breaks inside quotes) from a file in chunks, a record at a time.
public final class CSVReader {
    private let handle: FileHandle
    private let path: String
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private(set) public var line = 1
    private var byteOffset: UInt64 = 0
    static let chunkSize = 1 << 20
    /// One field larger than this is refused rather than buffered without end.
    static let maximumFieldSize = 64 << 20

    public init(path: String) throws(QVDError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw QVDError(.unreadableFile, "Cannot open \(path) for reading")
        }
        self.handle = handle
        self.path = path
    }

    deinit { try? handle.close() }

    private func refill() throws(QVDError) -> Bool {
        if atEnd { return false }
        let chunk: Data?
        do { chunk = try handle.read(upToCount: Self.chunkSize) } catch {
            throw QVDError(.unreadableFile, "Reading \(path) failed: \(error.localizedDescription)")
        }
        guard let chunk, !chunk.isEmpty else {
            atEnd = true
            return false
        }
        byteOffset += UInt64(position)
        buffer.removeFirst(position)
        position = 0
        buffer.append(contentsOf: chunk)
        return true
    }

    private func peek() throws(QVDError) -> UInt8? {
        if position >= buffer.count, !(try refill()) { return nil }
        return buffer[position]
    }

    /// The next record's fields, or nil at the end of the file.
    public func next() throws(QVDError) -> [String]? {
        guard try peek() != nil else { return nil }
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var fieldStarted = false
        let startLine = line
        while true {
            guard let byte = try peek() else {
                if quoted { throw QVDError(.invalidInput, "\(path): a quoted field opened on line \(startLine) is never closed", at: byteOffset + UInt64(position)) }
                break
            }
            position += 1
            if quoted {
                if byte == 0x22 {
                    if try peek() == 0x22 {
                        position += 1
                        field.append(0x22)
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 0x0A { line += 1 }
                    field.append(byte)
                }
            } else if byte == 0x22 && !fieldStarted {
                quoted = true
                fieldStarted = true
            } else if byte == 0x2C {
                fields.append(try decode(field, line: line))
                field.removeAll(keepingCapacity: true)
                fieldStarted = false
            } else if byte == 0x0A || byte == 0x0D {
                if byte == 0x0D, try peek() == 0x0A { position += 1 }
                // The record's last field is checked on its own line, before the count moves on.
                fields.append(try decode(field, line: line))
                line += 1
                return fields
            } else if byte == 0x22 {
                throw QVDError(.invalidInput, "\(path), line \(line): a quote inside an unquoted field; quote the whole field and double the quote",
                               at: byteOffset + UInt64(position - 1))
            } else {
                field.append(byte)
                fieldStarted = true
            }
            if field.count > Self.maximumFieldSize {
                throw QVDError(.invalidInput, "\(path), line \(startLine): a field is over \(Self.maximumFieldSize >> 20) MiB")
            }
        }
        fields.append(try decode(field, line: line))
        return fields
    }

    private func decode(_ bytes: [UInt8], line: Int) throws(QVDError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw QVDError(.invalidUTF8, "\(path), line \(line): a field is not valid UTF-8", at: byteOffset + UInt64(position))
        }
        return text
    }
}
