import Foundation
import Testing

/// The two backends are laid out as twins, one file per store protocol with the same name on both sides,
/// so a change to one store's SQL has an obvious other half to change with it.
@Suite("SQLite and PostgreSQL repositories are laid out as twins")
struct TwinLayoutTests {
    static let sources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Repository")

    /// The `X` of every `<prefix>+X.swift` in the folder.
    static func stores(in folder: String, prefix: String) throws -> Set<String> {
        let names = try FileManager.default.contentsOfDirectory(atPath: sources.appendingPathComponent(folder).path)
        return Set(names.compactMap { name in
            guard name.hasPrefix(prefix + "+"), name.hasSuffix(".swift") else { return nil }
            return String(name.dropFirst(prefix.count + 1).dropLast(".swift".count))
        })
    }

    @Test("every SQLite/SQLiteRepository+X.swift has its Postgres/PostgresRepository+X.swift and the reverse")
    func everyStoreFileHasItsTwin() throws {
        let sqlite = try Self.stores(in: "SQLite", prefix: "SQLiteRepository")
        let postgres = try Self.stores(in: "Postgres", prefix: "PostgresRepository")
        #expect(!sqlite.isEmpty, "no SQLite/SQLiteRepository+X.swift found under \(Self.sources.path)")
        #expect(sqlite.subtracting(postgres).sorted() == [], "SQLite store files without a Postgres/PostgresRepository+X.swift twin")
        #expect(postgres.subtracting(sqlite).sorted() == [], "Postgres store files without a SQLite/SQLiteRepository+X.swift twin")
    }

    /// The protocols a file's `extension <type>: P` lines conform to.
    static func conformances(_ path: String, of type: String) throws -> [String] {
        let text = try String(contentsOf: sources.appendingPathComponent(path), encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard line.hasPrefix("extension \(type): ") else { return nil }
            return line.dropFirst("extension \(type): ".count).split(separator: " ").first.map(String.init)
        }
    }

    @Test("each twin pair implements one store protocol, the same on both sides")
    func twinsImplementTheSameOneProtocol() throws {
        for store in try Self.stores(in: "SQLite", prefix: "SQLiteRepository").sorted() {
            let sqlite = try Self.conformances("SQLite/SQLiteRepository+\(store).swift", of: "SQLiteRepository")
            #expect(sqlite.count == 1, "SQLiteRepository+\(store).swift conforms to \(sqlite), expected one store protocol")
            guard FileManager.default.fileExists(atPath: Self.sources.appendingPathComponent("Postgres/PostgresRepository+\(store).swift").path) else { continue }
            let postgres = try Self.conformances("Postgres/PostgresRepository+\(store).swift", of: "PostgresRepository")
            #expect(postgres == sqlite, "PostgresRepository+\(store).swift conforms to \(postgres), its SQLite twin to \(sqlite)")
        }
    }

    @Test("no backend's store file is left at the Repository folder's root")
    func noStoreFileAtTheRoot() throws {
        let root = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path)
        let stray = root.filter { $0.hasPrefix("SQLiteRepository") || $0.hasPrefix("PostgresRepository") }.sorted()
        #expect(stray == [], "move these into SQLite/ or Postgres/")
    }
}
