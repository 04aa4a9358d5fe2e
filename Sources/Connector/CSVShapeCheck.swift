import QlikCloudAPI
import Synchronization

/// Checks, as a CSV is uploaded, that every record has the header's number
/// of fields: one pass over the bytes (quotes, commas, line breaks), so a
/// ragged file is stopped mid-upload, with its line, and nothing changes on
/// the tenant (an incomplete request body is never applied).
/// Used by one upload attempt at a time, and read only after it ends.
final class CSVShapeCheck: UploadValidator, @unchecked Sendable {
    let path: String
    private var inQuotes = false
    private var fields = 1
    private var recordHasContent = false
    private var header: Int?
    private var line = 1
    private var recordLine = 1
    private(set) var failure: String?
    /// Continuation bytes the current UTF-8 sequence still needs.
    private var continuations = 0

    init(path: String) { self.path = path }

    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        // The state in locals for the loop: stored properties of a class cost an exclusivity check per access.
        var inQuotes = self.inQuotes, fields = self.fields, hasContent = recordHasContent, continuations = self.continuations
        for byte in bytes {
            if byte >= 0x80 || continuations > 0 {
                // UTF-8: a lead byte says how many 10xxxxxx bytes follow.
                if continuations > 0 {
                    guard byte & 0xC0 == 0x80 else { try fail("\(path), line \(line): the text is not valid UTF-8.") }
                    continuations -= 1
                } else if (0xC2...0xDF).contains(byte) { continuations = 1 }
                else if (0xE0...0xEF).contains(byte) { continuations = 2 }
                else if (0xF0...0xF4).contains(byte) { continuations = 3 }
                else { try fail("\(path), line \(line): the text is not valid UTF-8.") }
                hasContent = true
                continue
            }
            if byte == 0x0A {
                line += 1
                if !inQuotes {
                    self.fields = fields
                    recordHasContent = hasContent
                    try endRecord()
                    fields = 1
                    hasContent = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inQuotes.toggle()
                hasContent = true
            } else if byte == UInt8(ascii: ",") {
                if !inQuotes { fields += 1 }
                hasContent = true
            } else if byte != 0x0D {
                hasContent = true
            }
        }
        self.inQuotes = inQuotes
        self.fields = fields
        self.continuations = continuations
        recordHasContent = hasContent
    }

    func finish() throws {
        if continuations > 0 { try fail("\(path), line \(line): the text ends inside a UTF-8 character.") }
        if inQuotes { try fail("\(path): a quoted field opened on line \(recordLine) is never closed.") }
        if recordHasContent || fields > 1 { try endRecord() }
        if header == nil { try fail("\(path) is empty: the first line must name the fields.") }
    }

    private func endRecord() throws {
        defer {
            fields = 1
            recordHasContent = false
            recordLine = line
        }
        guard recordHasContent || fields > 1 else { return } // a blank line
        guard let header else {
            self.header = fields
            return
        }
        if fields != header { try fail("\(path), line \(recordLine): \(fields) fields where the header has \(header).") }
    }

    private func fail(_ message: String) throws -> Never {
        failure = message
        throw ConnectorError.badInput(message)
    }
}

/// The validator of the latest attempt, to tell a refused file from a failed upload.
final class LatestCheck: Sendable {
    private let current = Mutex<CSVShapeCheck?>(nil)
    let path: String

    init(path: String) { self.path = path }

    var factory: @Sendable () -> any UploadValidator {
        { [self] in
            let check = CSVShapeCheck(path: path)
            current.withLock { $0 = check }
            return check
        }
    }

    var failure: String? { current.withLock { $0?.failure } }
}
