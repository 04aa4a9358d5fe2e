import Foundation
import Testing
@testable import QVD

/// The real files Qlik wrote, kept in the repository at Tests/Fixtures/qvd (see NOTICE.md there).
enum Fixtures {
    /// The repository's root, found from this file's own place in it.
    static var repository: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func directory(in root: URL = repository) -> String { root.appendingPathComponent("Tests/Fixtures/qvd").path }

    static func path(_ name: String, in root: URL = repository) -> String { directory(in: root) + "/" + name }

    static let qlikWritten = [
        "pyqvd525_small.qvd", "pyqvd525_medium.qvd", "pyqvd525_large.qvd",
        "pyqvd885_small.qvd", "pyqvd885_medium.qvd", "pyqvd885_large.qvd",
        "qvdutils_AAPL.qvd", "qvdutils_test_qvd.qvd", "qvdutils_test_qvd_null.qvd", "qvdlib_Test.qvd",
    ]
}

@Suite("QVD files written by Qlik")
struct QVDFixtureTests {
    @Test("every Qlik-written fixture reads completely, row count as its header records", arguments: Fixtures.qlikWritten)
    func readsCompletely(_ name: String) throws {
        try Self.expectComplete(Fixtures.path(name))
    }

    @Test("the damaged fixtures give clear errors with a byte offset", arguments: ["pyqvd525_damaged.qvd", "pyqvd885_damaged.qvd"])
    func damaged(_ name: String) throws {
        let error = Self.expectDamaged(Fixtures.path(name))
        print("\(name): \(error?.description ?? "")")
    }

    static func expectComplete(_ path: String) throws {
        let reader = try QVDReader(path: path)
        #expect(reader.header.qvBuildNo != nil)
        var iterator = try reader.batches(batchSize: 1000)
        var rows = 0
        while let batch = try iterator.next() {
            #expect(batch.firstRow == rows)
            rows += batch.rowCount
            _ = batch.rows
        }
        #expect(rows == reader.header.numberOfRecords)
        #expect(rows > 0)
    }

    @discardableResult
    static func expectDamaged(_ path: String) -> QVDError? {
        let error = #expect(throws: QVDError.self) {
            let reader = try QVDReader(path: path)
            var iterator = try reader.batches()
            while try iterator.next() != nil {}
        }
        #expect(error?.offset != nil)
        return error
    }

    @Test("values come out as Qlik wrote them: qvdlib's typed columns")
    func typedColumns() throws {
        let reader = try QVDReader(path: Fixtures.path("qvdlib_Test.qvd"))
        var iterator = try reader.batches()
        let batch = try #require(try iterator.next())
        #expect(batch.fields == ["StringColumn", "DualIntColumn", "DualDoubleColumn"])
        for row in batch.rows { print(row) }
    }
}
