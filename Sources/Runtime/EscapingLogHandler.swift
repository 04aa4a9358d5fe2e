public import Logging

/// A log handler that writes through another one after escaping every control
/// character in the message, the metadata (keys and values, nested ones too)
/// and an attached error. Log lines carry user input (a sign-in address, a
/// connection or file name): unescaped, a line break in it would start a
/// forged line of its own (log injection), and an ANSI escape would rewrite
/// the operator's terminal. Every logger the product creates goes through it.
public struct EscapingLogHandler: LogHandler {
    private var wrapped: any LogHandler
    /// Kept here rather than on the wrapped handler: what a provider adds is escaped too.
    public var metadataProvider: Logger.MetadataProvider?

    /// As set, unescaped: read back, changed and set again, a value is escaped once, when it is written.
    public var metadata: Logger.Metadata

    public init(wrapping handler: any LogHandler) {
        var handler = handler
        metadataProvider = handler.metadataProvider
        // Set only when there is one: a handler without provider support warns when it is set at all.
        if metadataProvider != nil { handler.metadataProvider = nil }
        // The wrapped handler's own metadata moves here, to be escaped with the rest of each event's.
        metadata = handler.metadata
        handler.metadata = [:]
        wrapped = handler
    }

    public var logLevel: Logger.Level {
        get { wrapped.logLevel }
        set { wrapped.logLevel = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // The handler's metadata, then the provider's, then the event's own, each overriding the one before, as Logger merges them.
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, provided in provided } }
        if let explicit = event.metadata { merged.merge(explicit) { _, explicit in explicit } }
        // An error's description is user input as often as anything else: it goes as escaped metadata, as StreamLogHandler shows it.
        if let error = event.error {
            merged["error.message"] = "\(error)"
            merged["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        var escaped = event
        escaped.error = nil
        escaped.message = "\(LogEscaping.escape(event.message.description))"
        escaped.metadata = merged.isEmpty ? nil : Self.escaped(merged)
        wrapped.log(event: escaped)
    }

    static func escaped(_ metadata: Logger.Metadata) -> Logger.Metadata {
        Logger.Metadata(uniqueKeysWithValues: metadata.map { (LogEscaping.escape($0.key), escaped($0.value)) })
    }

    static func escaped(_ value: Logger.Metadata.Value) -> Logger.Metadata.Value {
        switch value {
        case .string(let text): .string(LogEscaping.escape(text))
        case .stringConvertible(let convertible): .string(LogEscaping.escape(convertible.description))
        case .dictionary(let dictionary): .dictionary(escaped(dictionary))
        case .array(let values): .array(values.map(escaped))
        }
    }
}

extension Logger {
    /// This logger with its handler wrapped in an ``EscapingLogHandler`` (once: wrapping twice would escape the escapes).
    public func escapingControlCharacters() -> Logger {
        if handler is EscapingLogHandler { return self }
        var logger = self
        logger.handler = EscapingLogHandler(wrapping: handler)
        return logger
    }

    /// A logger writing to standard error through an ``EscapingLogHandler``: what the commands, the service and the agent log with.
    public static func escapingStandardError(label: String) -> Logger {
        Logger(label: label) { EscapingLogHandler(wrapping: StreamLogHandler.standardError(label: $0)) }
    }
}

/// How a logged value is escaped so that it stays on its own line and draws nothing.
public enum LogEscaping {
    /// `\n`, `\r` and `\t` as those two characters; any other C0 or C1 control
    /// (ESC included), DEL, the Unicode line and paragraph separators and the
    /// bidirectional controls (which reorder what a reader sees) as `\u{…}`.
    /// A backslash is doubled, so an escape in the log always means a character
    /// that was there, never text typed to look like one.
    public static func escape(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscaping) else { return text }
        var result = ""
        result.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\\": result += "\\\\"
            case _ where needsEscaping(scalar): result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func needsEscaping(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1 (NEL among them)
        case 0x5C: true  // the backslash, see escape(_:)
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional controls
        default: false
        }
    }
}
