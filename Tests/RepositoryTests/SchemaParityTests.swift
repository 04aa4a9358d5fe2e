import Foundation
import GRDB
import Logging
import PostgresNIO
@testable import Repository
import Testing
import TestRepositories

/// Both backends, freshly migrated, must hold the same schema: the same tables and columns (types mapped, nullability,
/// defaults), keys, unique constraints, indexes (with their predicates), foreign keys and checks. A difference fails
/// naming its table, column or index, unless it is listed below with the reason it is deliberate.
@Suite("The SQLite and PostgreSQL schemas match once migrated")
struct SchemaParityTests {
    /// Differences that are deliberate, as the comparison words them, with why.
    static let deliberate: [String: String] = [:]

    /// Each backend's own record of the steps it ran: GRDB keeps `grdb_migrations`, PostgresMigrations `schema_migrations`.
    static let bookkeeping: Set<String> = ["grdb_migrations", "schema_migrations"]

    /// SQLite has no boolean type: these flags are INTEGER 0/1 there and BOOLEAN on PostgreSQL.
    static let flags: Set<String> = ["connections.use_secret_vault", "connection_tests.succeeded", "users.disabled"]

    @Test("a fresh SQLite and a fresh PostgreSQL database migrate to the same schema")
    func bothMigratedSchemasMatch() async throws {
        let sqlite = try await TestRepository.make(.sqlite)
        let postgres = try await TestRepository.make(.postgres)
        let differences = SchemaShape.differences(sqlite: try Self.sqliteShape(path: sqlite.location),
                                                  postgres: try await Self.postgresShape(url: postgres.location))
        let unexplained = differences.filter { Self.deliberate[$0] == nil }
        #expect(unexplained == [], "add a migration on the side that is wrong, or list the difference in SchemaParityTests.deliberate with its reason")
        let gone = Self.deliberate.keys.filter { !differences.contains($0) }.sorted()
        #expect(gone == [], "listed as deliberate but no longer a difference: remove them from SchemaParityTests.deliberate")
    }

    @Test("differences planted in PostgreSQL are each found and named: a check, an index predicate, a default, a type, a foreign key")
    func plantedDifferencesAreNamed() async throws {
        let sqlite = try await TestRepository.make(.sqlite)
        let postgres = try await TestRepository.make(.postgres)
        try await postgres.execute([
            "ALTER TABLE tasks DROP CONSTRAINT tasks_state_check",
            "DROP INDEX tasks_unfinished",
            "CREATE INDEX tasks_unfinished ON tasks (runtime_environment_id, created_at) WHERE state = 'queued'",
            "ALTER TABLE users ALTER COLUMN disabled DROP DEFAULT",
            "ALTER TABLE agents ALTER COLUMN host TYPE bytea USING convert_to(host, 'UTF8')",
            "ALTER TABLE agents DROP CONSTRAINT agents_runtime_environment_id_fkey",
        ])
        let differences = SchemaShape.differences(sqlite: try Self.sqliteShape(path: sqlite.location),
                                                  postgres: try await Self.postgresShape(url: postgres.location))
        let named = ["check on tasks ", "index tasks_unfinished:", "column users.disabled:", "column agents.host:", "foreign key agents(runtime_environment_id)"]
        #expect(differences.count == named.count, "\(differences)")
        for name in named {
            #expect(differences.filter { $0.hasPrefix(name) }.count == 1, "no one difference starts with '\(name)': \(differences)")
        }
    }

    @Test("both backends register the same migration steps, in the same order")
    func sameStepNames() {
        #expect(SQLiteMigrations.migrator.migrations == PostgresMigrations.steps.map(\.name))
    }

    // MARK: Reading each schema

    static func sqliteShape(path: String) throws -> SchemaShape {
        try DatabaseQueue(path: path).read { db in
            var shape = SchemaShape()
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
            for table in tables where !Self.bookkeeping.contains(table) {
                let columns = try Row.fetchAll(db, sql: "SELECT name, type, \"notnull\" AS not_null, dflt_value, pk FROM pragma_table_info(?)",
                                               arguments: [table])
                let keyColumns = columns.filter { ($0["pk"] as Int) > 0 }.sorted { ($0["pk"] as Int) < ($1["pk"] as Int) }
                shape.primaryKeys[table] = keyColumns.map { $0["name"] as String }
                var shapes: [String: ColumnShape] = [:]
                for column in columns {
                    let name: String = column["name"], declared: String = column["type"]
                    // A lone INTEGER PRIMARY KEY is the rowid: never null, numbered by SQLite when not given.
                    let rowid = keyColumns.count == 1 && (column["pk"] as Int) == 1 && declared.uppercased() == "INTEGER"
                    let flag = Self.flags.contains("\(table).\(name)")
                    shapes[name] = ColumnShape(type: Self.commonType(sqlite: declared, flag: flag), notNull: rowid || (column["not_null"] as Int) == 1,
                                               defaultValue: rowid ? "generated" : Self.normalizedDefault(column["dflt_value"], flag: flag))
                }
                shape.columns[table] = shapes
                for index in try Row.fetchAll(db, sql: "SELECT name, \"unique\" AS is_unique, origin FROM pragma_index_list(?)", arguments: [table]) {
                    let name: String = index["name"], origin: String = index["origin"]
                    let names = try String?.fetchAll(db, sql: "SELECT name FROM pragma_index_info(?) ORDER BY seqno", arguments: [name])
                    switch origin {
                    case "pk": continue
                    case "u": shape.uniqueConstraints.insert("\(table)(\(names.map { $0 ?? "?" }.joined(separator: ", ")))")
                    default:
                        let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", arguments: [name]) ?? ""
                        shape.indexes[name] = IndexShape(table: table, definition: sql, unique: (index["is_unique"] as Int) == 1)
                    }
                }
                let keys = try Row.fetchAll(db, sql: """
                    SELECT id, "table" AS parent, "from" AS child_column, "to" AS parent_column, on_update, on_delete
                    FROM pragma_foreign_key_list(?) ORDER BY id, seq
                    """, arguments: [table])
                for id in Set(keys.map { $0["id"] as Int }) {
                    let parts = keys.filter { ($0["id"] as Int) == id }
                    shape.foreignKeys.insert(ForeignKeyShape(
                        table: table, columns: parts.map { $0["child_column"] as String }, references: parts[0]["parent"],
                        referencedColumns: parts.map { $0["parent_column"] as String? ?? "(its primary key)" }, onDelete: parts[0]["on_delete"], onUpdate: parts[0]["on_update"]))
                }
                let sql = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", arguments: [table]) ?? ""
                shape.checks[table] = SQLText.checks(in: sql).map(SQLText.normalized).sorted()
            }
            return shape
        }
    }

    static let quiet = Logger(label: "schema-parity") { _ in SwiftLogNoOpLogHandler() }

    static func postgresShape(url: String) async throws -> SchemaShape {
        try await TestPostgres.withConnection(to: url) { connection in
            func rows(_ sql: String) async throws -> [PostgresRow] {
                try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Self.quiet).collect()
            }
            var shape = SchemaShape()
            for row in try await rows("""
                SELECT table_name::text, column_name::text, data_type::text, is_nullable::text, column_default::text, is_identity::text
                FROM information_schema.columns WHERE table_schema = 'public'
                """) {
                let (table, column, type, nullable, columnDefault, identity) = try row.decode((String, String, String, String, String?, String).self)
                guard !Self.bookkeeping.contains(table) else { continue }
                let flag = Self.flags.contains("\(table).\(column)")
                shape.columns[table, default: [:]][column] = ColumnShape(
                    type: Self.commonType(postgres: type), notNull: nullable == "NO",
                    defaultValue: identity == "YES" ? "generated" : Self.normalizedDefault(columnDefault, flag: flag))
            }
            // Column lists in key order; NOT NULL constraints (kept in pg_constraint from PostgreSQL 18) are read above.
            let columnList = { (keys: String, table: String) in
                """
                (SELECT string_agg(a.attname::text, ', ' ORDER BY k.i) FROM unnest(\(keys)) WITH ORDINALITY k(n, i)
                 JOIN pg_attribute a ON a.attrelid = \(table) AND a.attnum = k.n)
                """
            }
            for row in try await rows("""
                SELECT c.conrelid::regclass::text, c.contype::text, COALESCE(\(columnList("c.conkey", "c.conrelid")), ''),
                       COALESCE(c.confrelid::regclass::text, ''), COALESCE(\(columnList("c.confkey", "c.confrelid")), ''),
                       c.confdeltype::text, c.confupdtype::text, pg_get_constraintdef(c.oid)
                FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
                WHERE n.nspname = 'public' AND c.contype IN ('p', 'u', 'f', 'c')
                """) {
                let (table, kind, columns, references, referencedColumns, onDelete, onUpdate, definition)
                    = try row.decode((String, String, String, String, String, String, String, String).self)
                guard !Self.bookkeeping.contains(table) else { continue }
                switch kind {
                case "p": shape.primaryKeys[table] = columns.components(separatedBy: ", ")
                case "u": shape.uniqueConstraints.insert("\(table)(\(columns))")
                case "f":
                    shape.foreignKeys.insert(ForeignKeyShape(
                        table: table, columns: columns.components(separatedBy: ", "), references: references,
                        referencedColumns: referencedColumns.components(separatedBy: ", "),
                        onDelete: Self.referentialAction(onDelete), onUpdate: Self.referentialAction(onUpdate)))
                default: shape.checks[table, default: []].append(SQLText.normalized(String(definition.dropFirst("CHECK ".count))))
                }
            }
            for table in shape.columns.keys { shape.checks[table] = (shape.checks[table] ?? []).sorted() }
            for row in try await rows("""
                SELECT t.relname::text, i.relname::text, ix.indisunique, pg_get_indexdef(ix.indexrelid)
                FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid
                     JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = 'public' AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND c.conrelid = ix.indrelid AND c.contype IN ('p', 'u'))
                """) {
                let (table, name, unique, definition) = try row.decode((String, String, Bool, String).self)
                guard !Self.bookkeeping.contains(table) else { continue }
                shape.indexes[name] = IndexShape(table: table, definition: definition, unique: unique)
            }
            return shape
        }
    }

    // MARK: One vocabulary for both

    static func commonType(sqlite declared: String, flag: Bool) -> String {
        switch declared.uppercased() {
        case "TEXT": "text"
        case "INTEGER": flag ? "flag" : "integer"
        case "BLOB": "bytes"
        case "REAL": "real"
        default: "SQLite \(declared)"
        }
    }

    static func commonType(postgres type: String) -> String {
        switch type {
        case "text": "text"
        case "bigint", "integer", "smallint": "integer"
        case "boolean": "flag"
        case "bytea": "bytes"
        case "double precision", "real": "real"
        default: "PostgreSQL \(type)"
        }
    }

    static func normalizedDefault(_ text: String?, flag: Bool) -> String? {
        guard let text else { return nil }
        // A sequence's next value is PostgreSQL's way of numbering rows, as the rowid is SQLite's.
        if text.hasPrefix("nextval(") { return "generated" }
        let plain = text.replacingOccurrences(of: "::text", with: "").replacingOccurrences(of: "::bigint", with: "")
        guard flag else { return plain }
        switch plain.lowercased() {
        case "0", "false": return "false"
        case "1", "true": return "true"
        default: return plain
        }
    }

    static func referentialAction(_ code: String) -> String {
        switch code {
        case "a": "NO ACTION"
        case "r": "RESTRICT"
        case "c": "CASCADE"
        case "n": "SET NULL"
        case "d": "SET DEFAULT"
        default: "unknown action \(code)"
        }
    }
}

struct ColumnShape: Equatable, CustomStringConvertible {
    let type: String
    let notNull: Bool
    let defaultValue: String?
    var description: String { type + (notNull ? " NOT NULL" : " NULL") + (defaultValue.map { " DEFAULT \($0)" } ?? "") }
}

/// An index created by name (not by a key or UNIQUE constraint): its columns or expressions and predicate, compared normalized.
struct IndexShape: Equatable, CustomStringConvertible {
    let table: String
    let keys: [String]
    let predicate: String?
    let unique: Bool

    init(table: String, definition: String, unique: Bool) {
        self.table = table
        self.unique = unique
        (keys, predicate) = SQLText.indexParts(definition)
    }

    var description: String {
        (unique ? "UNIQUE " : "") + "on \(table) (\(keys.joined(separator: ", ")))" + (predicate.map { " WHERE \($0)" } ?? "")
    }
}

struct ForeignKeyShape: Hashable, CustomStringConvertible {
    let table: String
    let columns: [String]
    let references: String
    let referencedColumns: [String]
    let onDelete: String
    let onUpdate: String

    var description: String {
        "\(table)(\(columns.joined(separator: ", "))) REFERENCES \(references)(\(referencedColumns.joined(separator: ", "))) "
            + "ON DELETE \(onDelete) ON UPDATE \(onUpdate)"
    }
}

struct SchemaShape {
    var columns: [String: [String: ColumnShape]] = [:]
    var primaryKeys: [String: [String]] = [:]
    /// `table(column, ...)` of each UNIQUE constraint.
    var uniqueConstraints: Set<String> = []
    var indexes: [String: IndexShape] = [:]
    var foreignKeys: Set<ForeignKeyShape> = []
    /// Each table's CHECK expressions, normalized and sorted.
    var checks: [String: [String]] = [:]

    /// Every difference, one line each, naming the table, column or index.
    static func differences(sqlite: SchemaShape, postgres: SchemaShape) -> [String] {
        var found: [String] = []
        func onlyOn<T>(_ what: String, _ left: T?, _ right: T?) -> Bool {
            switch (left, right) {
            case (.some, .none): found.append("\(what): only on SQLite"); return true
            case (.none, .some): found.append("\(what): only on PostgreSQL"); return true
            default: return false
            }
        }
        for table in Set(sqlite.columns.keys).union(postgres.columns.keys).sorted() {
            guard !onlyOn("table \(table)", sqlite.columns[table], postgres.columns[table]),
                  let left = sqlite.columns[table], let right = postgres.columns[table] else { continue }
            for column in Set(left.keys).union(right.keys).sorted() {
                guard !onlyOn("column \(table).\(column)", left[column], right[column]),
                      let l = left[column], let r = right[column], l != r else { continue }
                found.append("column \(table).\(column): SQLite \(l), PostgreSQL \(r)")
            }
            let (lk, rk) = (sqlite.primaryKeys[table] ?? [], postgres.primaryKeys[table] ?? [])
            if lk != rk { found.append("primary key of \(table): SQLite (\(lk.joined(separator: ", "))), PostgreSQL (\(rk.joined(separator: ", ")))") }
            let (lc, rc) = (sqlite.checks[table] ?? [], postgres.checks[table] ?? [])
            for check in lc where !rc.contains(check) { found.append("check on \(table) \(check): only on SQLite") }
            for check in rc where !lc.contains(check) { found.append("check on \(table) \(check): only on PostgreSQL") }
        }
        for unique in sqlite.uniqueConstraints.symmetricDifference(postgres.uniqueConstraints).sorted() {
            found.append("unique constraint \(unique): only on \(sqlite.uniqueConstraints.contains(unique) ? "SQLite" : "PostgreSQL")")
        }
        for name in Set(sqlite.indexes.keys).union(postgres.indexes.keys).sorted() {
            guard !onlyOn("index \(name)", sqlite.indexes[name], postgres.indexes[name]),
                  let l = sqlite.indexes[name], let r = postgres.indexes[name], l != r else { continue }
            found.append("index \(name): SQLite \(l), PostgreSQL \(r)")
        }
        for key in sqlite.foreignKeys.symmetricDifference(postgres.foreignKeys).sorted(by: { $0.description < $1.description }) {
            found.append("foreign key \(key): only on \(sqlite.foreignKeys.contains(key) ? "SQLite" : "PostgreSQL")")
        }
        return found
    }
}

/// Just enough SQL reading to compare what the two databases say about checks and indexes.
enum SQLText {
    /// The text inside the parentheses that open at `start`, and the index after the closing one.
    static func parenthesized(_ text: [Character], from start: Int) -> (String, Int)? {
        guard let open = text[start...].firstIndex(of: "(") else { return nil }
        var depth = 0, quoted = false
        for index in open..<text.count {
            switch text[index] {
            case "'": quoted.toggle()
            case "(" where !quoted: depth += 1
            case ")" where !quoted:
                depth -= 1
                if depth == 0 { return (String(text[(open + 1)..<index]), index + 1) }
            default: break
            }
        }
        return nil
    }

    /// Every `CHECK (...)` expression of a CREATE TABLE statement.
    static func checks(in sql: String) -> [String] {
        let text = Array(sql), keyword = Array("CHECK")
        var found: [String] = []
        var position = 0
        while position + keyword.count <= text.count {
            guard Array(text[position..<(position + keyword.count)]) == keyword else {
                position += 1
                continue
            }
            guard let (expression, end) = parenthesized(text, from: position + keyword.count) else { break }
            found.append(expression)
            position = end
        }
        return found
    }

    /// The keys (columns or expressions) and the predicate of a CREATE INDEX statement, normalized.
    static func indexParts(_ sql: String) -> ([String], String?) {
        let text = Array(sql)
        guard let on = sql.range(of: " ON "), let (list, end) = parenthesized(text, from: sql[..<on.upperBound].count) else { return ([sql], nil) }
        var keys: [String] = [], current = "", depth = 0
        for character in list {
            if character == "(" { depth += 1 }
            if character == ")" { depth -= 1 }
            if character == ",", depth == 0 {
                keys.append(normalized(current))
                current = ""
            } else {
                current.append(character)
            }
        }
        keys.append(normalized(current))
        let rest = String(text[end...]).trimmingCharacters(in: .whitespaces)
        let predicate = rest.uppercased().hasPrefix("WHERE") ? normalized(String(rest.dropFirst("WHERE".count))) : nil
        return (keys, predicate)
    }

    /// One spelling for what the two databases write differently: PostgreSQL adds casts and parentheses and writes
    /// `x IN ('a', 'b')` as `x = ANY (ARRAY['a'::text, 'b'::text])`.
    static func normalized(_ expression: String) -> String {
        var text = expression.lowercased().replacingOccurrences(of: "::text", with: "")
        text.removeAll { $0 == "(" || $0 == ")" || $0.isWhitespace }
        while let match = text.firstMatch(of: /=anyarray\[([^\]]*)\]/) {
            text.replaceSubrange(match.range, with: "in" + match.output.1)
        }
        return text
    }
}
