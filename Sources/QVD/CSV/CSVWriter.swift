public import Foundation

/// Writes RFC 4180 CSV: fields quoted when they hold a comma, a quote or a
/// line break (or start or end with a space), quotes doubled, CRLF line ends.
public final class CSVWriter {
    private let handle: FileHandle
    private var pending: [UInt8] = []

    public init(handle: FileHandle) {
        self.handle = handle
    }

    public func write(record: [String]) throws(QVDError) {
        for (index, field) in record.enumerated() {
            if index > 0 { pending.append(0x2C) }
            let utf8 = field.utf8
            let needsQuotes = utf8.contains { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }
                || utf8.first == 0x20 || utf8.last == 0x20
            if needsQuotes {
                pending.append(0x22)
                for byte in utf8 {
                    if byte == 0x22 { pending.append(0x22) }
                    pending.append(byte)
                }
                pending.append(0x22)
            } else {
                pending.append(contentsOf: utf8)
            }
        }
        pending.append(contentsOf: [0x0D, 0x0A])
        if pending.count >= 1 << 20 { try flush() }
    }

    public func flush() throws(QVDError) {
        guard !pending.isEmpty else { return }
        do { try handle.write(contentsOf: pending) } catch {
            throw QVDError(.unwritableFile, "Writing CSV failed: \(error.localizedDescription)")
        }
        pending.removeAll(keepingCapacity: true)
    }
}
