import Foundation
import Testing
@testable import QVD

@Suite("QVD interoperability with pyqvd and qvdrs", .enabled(if: Peers.available, "the QVD peers could not be installed from PyPI; run scripts/qvd-peers/setup.sh"))
struct QVDInteroperabilityTests {
    func temporaryFile(_ name: String) -> String {
        NSTemporaryDirectory() + "qvd-interop-\(UUID().uuidString)-\(name)"
    }

    @Test("every Qlik-written fixture reads here exactly as pyqvd reads it, cell by cell", arguments: Fixtures.qlikWritten)
    func fixturesAgreeWithPyqvd(_ name: String) async throws {
        let path = Fixtures.path(name)
        let peer = try await Peers.dump("pyqvd", path)
        let (header, rows) = try readAllRows(path)
        #expect(peer.fields == header.fields.map(\.name))
        #expect(rows.count == peer.rows.count)
        #expect(rows.count == header.numberOfRecords)
        var mismatches = 0
        for (index, (ours, theirs)) in zip(rows, peer.rows).enumerated() {
            for (value, cell) in zip(ours, theirs) where !Peers.exactlyMatches(value, cell) {
                mismatches += 1
                if mismatches <= 5 { Issue.record("\(name) row \(index): here \(value), pyqvd \(String(describing: cell))") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test("the damaged fixtures are refused by pyqvd too", arguments: ["pyqvd525_damaged.qvd", "pyqvd885_damaged.qvd"])
    func damagedAgree(_ name: String) async {
        await #expect(throws: (any Error).self) { try await Peers.dump("pyqvd", Fixtures.path(name)) }
    }

    static let peerSpec = Peers.Table(table: "Peers", fields: ["Id", "Ratio", "Name", "Sparse"], rows: (0..<500).map { row in
        [
            Peers.Cell(text: nil, number: Double(row - 250)),
            Peers.Cell(text: nil, number: Double(row) + 0.25),
            Peers.Cell(text: ["alpha", "Grüße", "世界", "", "x,y\"z"][row % 5], number: nil),
            row % 3 == 0 ? nil : Peers.Cell(text: nil, number: Double(row % 17)),
        ]
    })

    @Test("files written by pyqvd and qvdrs read here with every value", arguments: ["pyqvd", "qvdrs"])
    func peersWriteWeRead(_ library: String) async throws {
        let path = temporaryFile("\(library).qvd")
        try await Peers.write(library, Self.peerSpec, to: path)
        let (header, rows) = try readAllRows(path)
        #expect(header.tableName == "Peers")
        #expect(rows.count == Self.peerSpec.rows.count)
        for (index, (ours, theirs)) in zip(rows, Self.peerSpec.rows).enumerated() {
            for (value, cell) in zip(ours, theirs) {
                #expect(value.number == cell?.number && (cell?.text == nil || value.displayText == cell?.text),
                        "\(library) row \(index): wrote \(String(describing: cell)), read \(value)")
            }
        }
        if library == "qvdrs" {
            // qvdrs marks NULL as index == NoOfSymbols with Bias 0; read here as NULL all the same.
            #expect(header.fields[3].bias == 0)
            #expect(rows.filter { $0[3] == .null }.count == 167)
        }
    }

    static func ourRow(_ row: Int) -> [QlikValue] {
        let texts = ["plain", "Ünïcödé", "日本語", "with, comma", "quote\"d", "tab\there"]
        let integer = QlikValue.integer(Int64(row * 7 - 1000))
        let double = QlikValue.double(Double(row) / 8 + 0.001)
        let dualInt = QlikValue.dual(Double(row % 10), "item \(row % 10)")
        let dualDouble = QlikValue.dual(Double(row % 4) + 0.5, "\(row % 4),5")
        let sparse: QlikValue = row % 4 == 0 ? .null : .integer(Int64(row % 13))
        let day = QlikValue.date(year: 2020 + row % 5, month: 1 + row % 12, day: 1 + row % 28) ?? .null
        return [integer, double, .text(texts[row % 6]), dualInt, dualDouble, sparse, day]
    }

    static let ourTable: [[QlikValue]] = (0..<300).map(ourRow)
    static let ourFields: [QVDWriter.Field] = [
        .init("Int"), .init("Double"), .init("Text"), .init("DualInt"), .init("DualDouble"), .init("Sparse"), .init("Day", numberFormat: .date),
    ]

    @Test("files written here read in pyqvd with every value identical")
    func weWritePyqvdReads() async throws {
        let path = temporaryFile("ours.qvd")
        let writer = try QVDWriter(tableName: "Ours", fields: Self.ourFields)
        try writer.append(rows: Self.ourTable)
        try writer.finish(to: path)
        let peer = try await Peers.dump("pyqvd", path)
        #expect(peer.table == "Ours")
        #expect(peer.fields == Self.ourFields.map(\.name))
        #expect(peer.rows.count == Self.ourTable.count)
        for (index, (ours, theirs)) in zip(Self.ourTable, peer.rows).enumerated() {
            for (value, cell) in zip(ours, theirs) {
                #expect(Peers.exactlyMatches(value, cell), "row \(index): wrote \(value), pyqvd read \(String(describing: cell))")
            }
        }
    }

    @Test("files written here read in qvdrs with every value it can express")
    func weWriteQvdrsReads() async throws {
        let path = temporaryFile("ours-qvdrs.qvd")
        let writer = try QVDWriter(tableName: "Ours", fields: Self.ourFields)
        try writer.append(rows: Self.ourTable)
        try writer.finish(to: path)
        let peer = try await Peers.dump("qvdrs", path)
        #expect(peer.fields == Self.ourFields.map(\.name))
        #expect(peer.rows.count == Self.ourTable.count)
        for (index, (ours, theirs)) in zip(Self.ourTable, peer.rows).enumerated() {
            for (value, cell) in zip(ours, theirs) {
                #expect(Peers.matchesWithinQvdrs(value, cell), "row \(index): wrote \(value), qvdrs read \(String(describing: cell))")
            }
        }
    }

    @Test("edge shapes written here open in both peers: one row, all-NULL field, single symbol with NULLs, wide records")
    func edgeShapes() async throws {
        let tables: [(String, [String], [[QlikValue]])] = [
            ("one row", ["A", "B"], [[.text("only"), .integer(1)]]),
            ("all null", ["A", "Nothing"], (0..<5).map { [.integer(Int64($0)), .null] }),
            ("one symbol with nulls", ["A", "B"], (0..<6).map { [.integer(Int64($0)), $0 % 2 == 0 ? .null : .text("same")] }),
            ("wide", (0..<30).map { "F\($0)" }, (0..<64).map { row in (0..<30).map { .integer(Int64(row % ($0 + 2))) } }),
        ]
        for (name, fields, rows) in tables {
            let path = temporaryFile("edge.qvd")
            let writer = try QVDWriter(tableName: "Edge", fieldNames: fields)
            try writer.append(rows: rows)
            try writer.finish(to: path)
            for library in ["pyqvd", "qvdrs"] {
                let peer = try await Peers.dump(library, path)
                #expect(peer.rows.count == rows.count, "\(name) in \(library)")
                for (ours, theirs) in zip(rows, peer.rows) {
                    for (value, cell) in zip(ours, theirs) {
                        let matches = library == "pyqvd" ? Peers.exactlyMatches(value, cell) : Peers.matchesWithinQvdrs(value, cell)
                        #expect(matches, "\(name) in \(library): wrote \(value), read \(String(describing: cell))")
                    }
                }
            }
        }
    }
}
