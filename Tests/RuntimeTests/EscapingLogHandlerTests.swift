import Foundation
import Logging
import Runtime
import Testing

@Suite("Log lines escape control characters, so user input cannot forge a line or drive the terminal")
struct EscapingLogHandlerTests {
    @Test("every C0 and C1 control, DEL, the line and paragraph separators and the bidirectional controls come out escaped; other text is kept")
    func everyControlClass() {
        let controls = Array(0x00...0x1F) + [0x7F] + Array(0x80...0x9F) + [0x2028, 0x2029, 0x061C, 0x200E, 0x200F]
            + Array(0x202A...0x202E) + Array(0x2066...0x2069)
        for value in controls {
            let scalar = Unicode.Scalar(UInt32(value))!
            let escaped = LogEscaping.escape("a\(Character(scalar))b")
            #expect(!escaped.unicodeScalars.contains(scalar), "U+\(String(value, radix: 16)) was left in the line")
            #expect(escaped.unicodeScalars.allSatisfy { $0.isASCII && $0.value >= 0x20 && $0.value != 0x7F }, "\(escaped)")
            #expect(escaped.hasPrefix("a\\") && escaped.hasSuffix("b"))
        }
        #expect(LogEscaping.escape("one\ntwo\rthree\tfour") == "one\\ntwo\\rthree\\tfour")
        #expect(LogEscaping.escape("\u{1B}[31mred") == "\\u{1B}[31mred")
        #expect(LogEscaping.escape("next\u{85}line\u{2028}sep") == "next\\u{85}line\\u{2028}sep")
        // A backslash typed by a user is doubled: "\n" in the log is always a real line break that was escaped.
        #expect(LogEscaping.escape("typed \\n") == "typed \\\\n")
        #expect(LogEscaping.escape("Ventes été 東京 Sales-A, 1.5 + 2_3") == "Ventes été 東京 Sales-A, 1.5 + 2_3")
    }

    @Test("through a stream handler, a line break in the message, in metadata (nested too), from a metadata provider or in an error stays on one line")
    func oneLinePerEvent() {
        let output = CapturedStream()
        let provider = Logger.MetadataProvider { ["request": "r1\nforged provider"] }
        var logger = Logger(label: "tests") { StreamLogHandler(label: $0, stream: output, metadataProvider: provider) }.escapingControlCharacters()
        logger[metadataKey: "component"] = "svc\nforged component"
        logger.notice("refused \("x\nforged message")", metadata: [
            "email": "a@b.example\nforged metadata",
            "nested": ["inner": "v\r\nforged nested"],
            "list": ["\u{1B}[2Jclear", "\u{2028}forged separator"],
        ])
        logger.error("failed", error: ForgedError())
        let lines = output.text.split(separator: "\n", omittingEmptySubsequences: true)
        #expect(lines.count == 2, "\(output.text)")
        #expect(!lines.contains { $0.hasPrefix("forged") })
        #expect(!output.text.contains("\u{1B}") && !output.text.contains("\u{2028}") && !output.text.contains("\r"))
        // StreamLogHandler quotes strings inside a list or dictionary (debugDescription), doubling the escapes' backslashes.
        for escaped in ["x\\nforged message", "a@b.example\\nforged metadata", "v\\\\r\\\\nforged nested", "\\\\u{1B}[2Jclear",
                        "r1\\nforged provider", "svc\\nforged component", "boom\\nforged error"] {
            #expect(output.text.contains(escaped), "\(escaped) missing from \(output.text)")
        }
    }

    @Test("wrapping a logger twice escapes once")
    func wrappedOnce() {
        let output = CapturedStream()
        let logger = Logger(label: "tests") { StreamLogHandler(label: $0, stream: output, metadataProvider: nil) }
            .escapingControlCharacters().escapingControlCharacters()
        logger.warning("a\nb")
        #expect(output.text.contains("a\\nb") && !output.text.contains("a\\\\nb"))
    }

    @Test("metadata read back, changed and set again is escaped once, when the line is written")
    func metadataReadBack() {
        let output = CapturedStream()
        var logger = Logger(label: "tests") { StreamLogHandler(label: $0, stream: output, metadataProvider: nil) }.escapingControlCharacters()
        logger[metadataKey: "path"] = "a\nb"
        #expect(logger[metadataKey: "path"] == "a\nb", "read back as it was set")
        if case .string(let text)? = logger[metadataKey: "path"] { logger[metadataKey: "path"] = .string(text + "!") }
        logger.info("x")
        #expect(output.text.contains("a\\nb!") && !output.text.contains("a\\\\nb"), "\(output.text)")
    }

    struct ForgedError: Error, CustomStringConvertible {
        var description: String { "boom\nforged error" }
    }
}

/// A text stream kept in memory, to read what a StreamLogHandler wrote.
struct CapturedStream: TextOutputStream, Sendable {
    private final class Buffer: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
    }
    private let buffer = Buffer()

    func write(_ string: String) { buffer.lock.withLock { buffer.text += string } }
    var text: String { buffer.lock.withLock { buffer.text } }
}
