import Foundation
import Testing
@testable import QVD

/// The real files Qlik wrote, shipped in ../shared/fixtures/qvd.
enum Fixtures {
    static var directory: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures/qvd").path
    }

    static func path(_ name: String) -> String { directory + "/" + name }

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
        let reader = try QVDReader(path: Fixtures.path(name))
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

    @Test("the damaged fixtures give clear errors with a byte offset", arguments: ["pyqvd525_damaged.qvd", "pyqvd885_damaged.qvd"])
    func damaged(_ name: String) throws {
        let error = #expect(throws: QVDError.self) {
            let reader = try QVDReader(path: Fixtures.path(name))
            var iterator = try reader.batches()
            while try iterator.next() != nil {}
        }
        #expect(error?.offset != nil)
        print("\(name): \(error?.description ?? "")")
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
