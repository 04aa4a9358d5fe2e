import Foundation
import QVD

/// JSON Lines in and out of tables: one object per line; the first line's
/// keys name the fields. Numbers stay numbers, `{"text","number"}` is a dual.
enum JSONLines {
    static func convert(_ input: String, to output: String, format: TableSink.Format, table: String) throws {
        guard let handle = FileHandle(forReadingAtPath: input) else { throw ConnectorError.badInput("Cannot read \(input).") }
        defer { try? handle.close() }
        var fields: [String] = []
        var rows: [[QlikValue]] = []
        var qvd: QVDWriter?
        var csv: CSVWriter?
        var out: FileHandle?
        defer { try? out?.close() }
        var lineNumber = 0
        func flush() throws {
            if let qvd { try qvd.append(rows: rows) }
            if let csv { for row in rows { try csv.write(record: row.map { $0.displayText ?? "" }) } }
            rows.removeAll(keepingCapacity: true)
        }
        var pending = Data()
        func handleLine(_ line: Data) throws {
            lineNumber += 1
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) else { return }
            guard let object = (try? JSONSerialization.jsonObject(with: line, options: [.fragmentsAllowed])) as? [String: Any] else {
                throw ConnectorError.badInput("\(input), line \(lineNumber): not a JSON object.")
            }
            if fields.isEmpty {
                fields = Self.orderedKeys(line) ?? object.keys.sorted()
                switch format {
                case .qvd: qvd = try QVDWriter(tableName: table, fieldNames: fields)
                default:
                    guard FileManager.default.createFile(atPath: output, contents: nil), let handle = FileHandle(forWritingAtPath: output) else {
                        throw ConnectorError.failed("Cannot create \(output).")
                    }
                    out = handle
                    csv = CSVWriter(handle: handle)
                    try csv?.write(record: fields)
                }
            }
            let unknown = object.keys.filter { !fields.contains($0) }
            guard unknown.isEmpty else {
                throw ConnectorError.badInput("\(input), line \(lineNumber): the field '\(unknown[0])' is not among the first line's fields (\(fields.joined(separator: ", "))).")
            }
            rows.append(fields.map { Self.value(object[$0]) })
            if rows.count >= 10_000 { try flush() }
        }
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                try handleLine(pending[pending.startIndex..<newline])
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { try handleLine(pending) }
        guard !fields.isEmpty else { throw ConnectorError.badInput("\(input) holds no JSON object.") }
        try flush()
        if let qvd { _ = try qvd.finish(to: output) }
        try csv?.flush()
    }

    static func value(_ raw: Any?) -> QlikValue {
        switch raw {
        case nil, is NSNull: return .null
        case let number as NSNumber:
            // Foundation hands JSON booleans over as char-typed numbers.
            if String(cString: number.objCType) == "c" { return .text(number.boolValue ? "true" : "false") }
            let double = number.doubleValue
            if double == double.rounded(), abs(double) < 9e15, !"\(number)".contains(".") { return .integer(Int64(double)) }
            return .double(double)
        case let text as String: return .text(text)
        case let dual as [String: Any]:
            if let text = dual["text"] as? String, let number = (dual["number"] as? NSNumber)?.doubleValue { return .dual(number, text) }
            return .text(String(decoding: (try? JSONSerialization.data(withJSONObject: dual, options: [.sortedKeys])) ?? Data(), as: UTF8.self))
        default: return .text("\(raw ?? "")")
        }
    }

    /// The keys of a JSON object in the order written (JSONSerialization forgets it).
    static func orderedKeys(_ line: Data) -> [String]? {
        let keys: [String] = Array(line).withUnsafeBytes { bytes in
            var scanner = JSONKeyScanner(bytes: bytes)
            return scanner.topLevelKeys()
        }
        return keys.isEmpty ? nil : keys
    }
}

/// Reads the top-level keys of one JSON object, skipping values.
private struct JSONKeyScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0

    mutating func topLevelKeys() -> [String] {
        var keys: [String] = []
        var depth = 0
        var expectKey = false
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectKey = depth == 1 && byte == UInt8(ascii: "{")
                index += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                index += 1
            case UInt8(ascii: ","):
                expectKey = depth == 1
                index += 1
            case UInt8(ascii: "\""):
                let start = index + 1
                index += 1
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") { index += bytes[index] == UInt8(ascii: "\\") ? 2 : 1 }
                if expectKey, depth == 1, let key = try? JSONSerialization.jsonObject(with: Data(bytes[(start - 1)...min(index, bytes.count - 1)]), options: [.fragmentsAllowed]) as? String {
                    keys.append(key)
                }
                expectKey = false
                index += 1
            default:
                index += 1
            }
        }
        return keys
    }
}
