import Foundation
import QVD

/// Runs the subset of Qlik's load script that connectors produce and read:
/// table labels, `LOAD * INLINE [...]`, `LOAD <fields> FROM [lib://DataFiles/<name>]`
/// (or `[lib://<space>:DataFiles/<name>]` for a space's files) with `(qvd)` or
/// `(txt, utf8, embedded labels, delimiter is ',')`, `*` and `AS` renames,
/// `DROP TABLE`, `SET`/`LET`, comments. Loads with the same fields as an
/// existing table are concatenated to it, as Qlik does.
struct LoadScript {
    struct Failure: Error, Equatable {
        let message: String
        let line: Int
        let statement: String
    }

    /// A data file a script names in a DataFiles connection.
    struct DataFileReference: Equatable {
        /// The space of `lib://<space>:DataFiles/`; "" for `lib://:DataFiles/` (the app's own space); nil when the path names none.
        let space: String?
        let name: String

        /// `lib://DataFiles/<name>`, `lib://:DataFiles/<name>` or `lib://<space>:DataFiles/<name>`; nil for any other path.
        init?(path: String) {
            let scheme = "lib://"
            guard path.lowercased().hasPrefix(scheme) else { return nil }
            let rest = path.dropFirst(scheme.count)
            guard let connection = rest.range(of: "DataFiles/", options: .caseInsensitive) else { return nil }
            let before = rest[..<connection.lowerBound]
            if before.isEmpty {
                space = nil
            } else if before.hasSuffix(":"), !before.dropLast().contains("/") {
                space = String(before.dropLast())
            } else {
                return nil
            }
            name = String(rest[connection.upperBound...])
        }

        init(space: String?, name: String) {
            self.space = space
            self.name = name
        }
    }

    /// Reads a data file's bytes (``DataFileLibrary`` finds them as the tenant's DataFiles connections hold them).
    let dataFile: (DataFileReference) -> [UInt8]?

    /// Where one table of the app's data comes from, field by field: what Qlik's lineage graph shows.
    struct TableSource: Equatable, Sendable {
        /// An app field and the source column it is loaded from.
        struct Field: Equatable, Sendable {
            let name: String
            let column: String
        }
        /// The app table's name once the script has run (a concatenated load adds to the table it joins).
        let table: String
        /// The file read; nil for INLINE data.
        let file: DataFileReference?
        /// The table's name in its source (the file's base name, or INLINE).
        let sourceTable: String
        let fields: [Field]
    }

    func run(_ script: String) -> Result<(DataModel, log: [String]), Failure> {
        run(script, headersOnly: false).map { ($0.model, $0.log) }
    }

    /// The sources of each table the script leaves in the app, reading only the header of each file.
    func sources(_ script: String) -> Result<[TableSource], Failure> {
        run(script, headersOnly: true).map(\.sources)
    }

    private func run(_ script: String, headersOnly: Bool) -> Result<(model: DataModel, log: [String], sources: [TableSource]), Failure> {
        var model = DataModel()
        var log = ["Started loading data"]
        var sources: [TableSource] = []
        for statement in Self.statements(script) {
            do {
                try execute(statement, model: &model, log: &log, sources: &sources, headersOnly: headersOnly)
            } catch let failure as Failure {
                return .failure(failure)
            } catch {
                return .failure(Failure(message: "\(error)", line: statement.line, statement: statement.text))
            }
        }
        log += ["Creating search index", "Search index creation completed successfully", "App saved", "Finished successfully",
                "\(model.tables.count) table(s), \(model.tables.reduce(0) { $0 + $1.rowCount }) row(s)"]
        let kept = Set(model.tables.map(\.name))
        return .success((model, log, sources.filter { kept.contains($0.table) }))
    }

    struct Statement {
        let text: String
        let line: Int
    }

    /// Splits at top-level semicolons (not inside brackets, quotes or comments), dropping comments.
    static func statements(_ script: String) -> [Statement] {
        var result: [Statement] = []
        var current = ""
        var line = 1, startLine = 1
        var bracket = 0
        var quote: Character?
        var characters = Array(script)
        characters.append("\n")
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : "\0"
            if let open = quote {
                current.append(character)
                if character == open { quote = nil }
            } else if bracket > 0 {
                current.append(character)
                if character == "[" { bracket += 1 }
                if character == "]" { bracket -= 1 }
            } else if character == "/" && next == "/" {
                while index < characters.count && characters[index] != "\n" { index += 1 }
                continue
            } else if character == "/" && next == "*" {
                index += 2
                while index + 1 < characters.count && !(characters[index] == "*" && characters[index + 1] == "/") {
                    if characters[index] == "\n" { line += 1 }
                    index += 1
                }
                index += 2
                continue
            } else if character == ";" {
                let text = current.trimmingCharacters(in: .whitespacesAndNewlines)
                if !text.isEmpty { result.append(Statement(text: text, line: startLine)) }
                current = ""
            } else {
                if current.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !character.isWhitespace { startLine = line }
                if character == "'" || character == "\"" { quote = character }
                if character == "[" { bracket = 1 }
                current.append(character)
            }
            if character == "\n" { line += 1 }
            index += 1
        }
        let rest = current.trimmingCharacters(in: .whitespacesAndNewlines)
        if !rest.isEmpty { result.append(Statement(text: rest, line: startLine)) }
        return result
    }

    private func execute(_ statement: Statement, model: inout DataModel, log: inout [String], sources: inout [TableSource], headersOnly: Bool) throws {
        var text = statement.text
        func fail(_ message: String) -> Failure { Failure(message: message, line: statement.line, statement: statement.text) }
        let upper = text.uppercased()
        if upper.hasPrefix("SET ") || upper.hasPrefix("LET ") || upper.hasPrefix("REM ") || upper == "EXIT SCRIPT" { return }
        if upper.hasPrefix("DROP TABLE") {
            let names = text.dropFirst(upper.hasPrefix("DROP TABLES") ? 11 : 10).split(separator: ",").map { Self.unquote($0) }
            for name in names {
                guard let index = model.tables.firstIndex(where: { $0.name == name }) else { throw fail("Table '\(name)' not found") }
                model.tables.remove(at: index)
                sources.removeAll { $0.table == name }
            }
            return
        }
        // An optional label: `Name:` before the LOAD.
        var label: String?
        if let colon = Self.labelEnd(text) {
            label = Self.unquote(text[..<colon])
            text = text[text.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard text.uppercased().hasPrefix("LOAD") else {
            throw fail("Unknown statement: \(text.prefix(60))")
        }
        let (loaded, file, fields) = try load(String(text.dropFirst(4)), fail: fail, headersOnly: headersOnly)
        var table = loaded
        if let existing = model.tables.firstIndex(where: { Set($0.fields) == Set(table.fields) }) {
            sources.append(TableSource(table: model.tables[existing].name, file: file, sourceTable: loaded.name, fields: fields))
            model.tables[existing].append(table)
            log.append("\(model.tables[existing].name) << \(table.name) \(table.rowCount) Lines fetched (concatenated)")
            return
        }
        table.name = label ?? table.name
        var unique = table.name, suffix = 0
        while model.tables.contains(where: { $0.name == unique }) { suffix += 1; unique = "\(table.name)-\(suffix)" }
        sources.append(TableSource(table: unique, file: file, sourceTable: loaded.name, fields: fields))
        table.name = unique
        log.append("\(table.name) << \(table.name)")
        log.append("Lines fetched: \(table.rowCount)")
        model.tables.append(table)
    }

    private static func labelEnd(_ text: String) -> String.Index? {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let head = text[..<colon]
        if head.uppercased().contains("LOAD") || head.contains("[lib") { return nil }
        return head.contains(where: \.isNewline) && !head.hasPrefix("[") ? nil : colon
    }

    static func unquote<S: StringProtocol>(_ text: S) -> String {
        var value = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if value.count >= 2, let first = value.first, let last = value.last,
           (first == "[" && last == "]") || (first == "\"" && last == "\"") || (first == "`" && last == "`") {
            value = String(value.dropFirst().dropLast())
        }
        return value
    }

    /// `<fields> INLINE [...]` or `<fields> FROM [lib://DataFiles/<name>] (<format>)`.
    private func load(_ body: String, fail: (String) -> Failure, headersOnly: Bool) throws
        -> (DataTable, DataFileReference?, [TableSource.Field]) {
        let upper = body.uppercased()
        if let inline = upper.range(of: "INLINE") {
            let fieldList = String(body[..<inline.lowerBound])
            guard let open = body[inline.upperBound...].firstIndex(of: "["), let close = body.lastIndex(of: "]"), open < close else {
                throw fail("INLINE data must be enclosed in [ ]")
            }
            let data = String(body[body.index(after: open)..<close])
            let source = try parseCSV(Array(data.trimmingCharacters(in: .whitespacesAndNewlines).utf8), delimiter: ",", name: "INLINE", fail: fail)
            let (table, fields) = try project(source, fields: fieldList, fail: fail)
            return (table, nil, fields)
        }
        guard let from = upper.range(of: "FROM") else { throw fail("LOAD needs INLINE data or FROM a file") }
        let fieldList = String(body[..<from.lowerBound])
        let rest = body[from.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)
        guard rest.hasPrefix("["), let close = rest.firstIndex(of: "]") else { throw fail("FROM needs a [lib://DataFiles/<name>] path") }
        let path = String(rest[rest.index(after: rest.startIndex)..<close])
        let format = rest[rest.index(after: close)...].trimmingCharacters(in: CharacterSet(charactersIn: " \n\t()")).lowercased()
        guard let reference = DataFileReference(path: path) else {
            throw fail("Cannot open file: '\(path)': only DataFiles connections are available (lib://DataFiles/<file> or lib://<space>:DataFiles/<file>)")
        }
        let name = reference.name
        guard let bytes = dataFile(reference) else { throw fail("Cannot open file: '\(path)'") }
        let base = (name as NSString).deletingPathExtension
        let source: DataTable
        if format.hasPrefix("qvd") || (format.isEmpty && name.lowercased().hasSuffix(".qvd")) {
            source = try readQVD(bytes, name: base, headersOnly: headersOnly, fail: fail)
        } else if format.hasPrefix("txt") || format.isEmpty {
            guard format.isEmpty || format.contains("embedded labels") else { throw fail("Only text files with embedded labels are supported") }
            var delimiter: Character = ","
            if let range = format.range(of: "delimiter is ") {
                let spec = format[range.upperBound...].trimmingCharacters(in: CharacterSet(charactersIn: "' ,"))
                delimiter = spec.hasPrefix("\\t") || spec.hasPrefix("'\\t'") ? "\t" : (spec.first ?? ",")
            }
            source = try parseCSV(headersOnly ? Self.firstLine(bytes) : bytes, delimiter: delimiter, name: base, fail: fail)
        } else {
            throw fail("The file format '\(format)' is not supported")
        }
        let (table, fields) = try project(source, fields: fieldList, fail: fail)
        return (table, reference, fields)
    }

    /// The header line of a text file, for tracing sources without reading the data.
    private static func firstLine(_ bytes: [UInt8]) -> [UInt8] {
        Array(bytes.prefix { $0 != UInt8(ascii: "\n") })
    }

    private func readQVD(_ bytes: [UInt8], name: String, headersOnly: Bool, fail: (String) -> Failure) throws -> DataTable {
        do {
            let reader = try QVDReader(source: QVDMemory(bytes))
            if headersOnly { return DataTable(name: name, fields: reader.fieldNames, columns: reader.fieldNames.map { _ in [] }) }
            var iterator = try reader.batches()
            var columns = Array(repeating: [QlikValue](), count: reader.fieldNames.count)
            while let batch = try iterator.next() {
                for column in columns.indices { columns[column] += batch.values(column: column) }
            }
            return DataTable(name: name, fields: reader.fieldNames, columns: columns)
        } catch {
            throw fail("The file is not a valid QVD: \(error)")
        }
    }

    private func parseCSV(_ bytes: [UInt8], delimiter: Character, name: String, fail: (String) -> Failure) throws -> DataTable {
        let text = String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "\n")
        var records: [[String]] = []
        var field = "", record: [String] = []
        var quoted = false
        var iterator = Array(text).makeIterator()
        var pending: Character? = nil
        while let character = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if character == "\"" {
                    if let after = iterator.next() {
                        if after == "\"" { field.append("\"") } else { quoted = false; pending = after }
                    } else { quoted = false }
                } else { field.append(character) }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == delimiter {
                record.append(field.trimmingCharacters(in: .whitespaces)); field = ""
            } else if character == "\n" {
                record.append(field.trimmingCharacters(in: .whitespaces)); field = ""
                records.append(record); record = []
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty { record.append(field.trimmingCharacters(in: .whitespaces)); records.append(record) }
        records.removeAll { $0 == [""] }
        guard let header = records.first else { throw fail("The data has no header line") }
        var columns = Array(repeating: [QlikValue](), count: header.count)
        for (number, row) in records.dropFirst().enumerated() {
            guard row.count == header.count else { throw fail("Line \(number + 2) of \(name) has \(row.count) fields; the header has \(header.count)") }
            for (index, cell) in row.enumerated() { columns[index].append(CSVValueParser.value(cell)) }
        }
        return DataTable(name: name, fields: header, columns: columns)
    }

    /// `*`, or `Field`, `[Field Name]`, `Field AS Alias` separated by commas.
    private func project(_ source: DataTable, fields list: String, fail: (String) -> Failure) throws -> (DataTable, [TableSource.Field]) {
        let trimmed = list.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed == "*" { return (source, source.fields.map { TableSource.Field(name: $0, column: $0) }) }
        var fields: [String] = [], columns: [[QlikValue]] = [], origins: [TableSource.Field] = []
        for item in Self.splitFields(trimmed) {
            let parts = item.components(separatedBy: " AS ").count > 1 ? item.components(separatedBy: " AS ")
                : item.components(separatedBy: " as ")
            let sourceName = Self.unquote(parts[0])
            let alias = parts.count > 1 ? Self.unquote(parts[1]) : sourceName
            guard let index = source.fields.firstIndex(of: sourceName) else { throw fail("Field '\(sourceName)' not found") }
            fields.append(alias)
            columns.append(source.columns[index])
            origins.append(TableSource.Field(name: alias, column: sourceName))
        }
        return (DataTable(name: source.name, fields: fields, columns: columns), origins)
    }

    private static func splitFields(_ list: String) -> [String] {
        var parts: [String] = [], current = ""
        var depth = 0
        for character in list {
            if character == "[" { depth += 1 }
            if character == "]" { depth -= 1 }
            if character == "," && depth == 0 {
                parts.append(current.trimmingCharacters(in: .whitespacesAndNewlines)); current = ""
            } else { current.append(character) }
        }
        if !current.trimmingCharacters(in: .whitespaces).isEmpty { parts.append(current.trimmingCharacters(in: .whitespacesAndNewlines)) }
        return parts
    }
}
