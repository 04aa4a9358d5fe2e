import Foundation
import QlikCloudAPI
import QVD
import Testing
@testable import QlikCloudSandbox
import TestTenants

@Suite("Engine session and table reader")
struct EngineTests {
    /// The table as the sandbox holds it, in the engine's text and number form.
    static func expected(_ table: DataTable) -> [[EngineCell]] {
        (0..<table.rowCount).map { row in
            table.columns.map { column in
                let value = column[row]
                return value.isNull ? .null : EngineCell(text: value.displayText, number: value.number)
            }
        }
    }

    static func read(_ reader: TableReader) async throws -> (TableReader.Header?, [[EngineCell]], TableReader.Summary) {
        let header = HeaderBox()
        let rows = RowsBox()
        let summary = try await reader.read(start: { await header.set($0) }, consume: { await rows.add($0) })
        return (await header.value, await rows.rows, summary)
    }

    actor HeaderBox {
        var value: TableReader.Header?
        func set(_ header: TableReader.Header) { value = header }
    }

    actor RowsBox {
        var rows: [[EngineCell]] = []
        var firstRows: [Int] = []
        func add(_ page: RowPage) {
            firstRows.append(page.firstRow)
            for row in 0..<page.rowCount { rows.append(Array(page.row(row))) }
        }
    }

    @Test("the reader pages a generated table with several pages in flight and yields every row, in order, as the engine holds it")
    func readsInOrder() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let appID = await sandbox.addGeneratedApp(name: "Big", rows: 5_000, columns: 7, seed: 3)
        let table = try #require(await sandbox.tenant.app(appID)?.dataModel.tables.first)
        let (header, rows, summary) = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            defer { Task { await client.shutdown() } }
            return try await Self.read(TableReader(client: client, appID: appID, table: table.name, pagesInFlight: 4))
        }
        #expect(header?.fields == table.fields && header?.rows == 5_000 && header?.tableRows == 5_000)
        #expect(summary.rows == 5_000 && summary.pages == 4 && summary.reconnects == 0)
        #expect(rows == Self.expected(table))
    }

    @Test("a socket dropped mid-read is reopened and the read resumes at the first row not delivered")
    func resumes() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(faults: SandboxFaults(dropWebSocketAfterMessages: 9)))
        // Ten pages; the socket drops after nine messages, four of them the session's setup: at least two reconnects.
        let appID = await sandbox.addGeneratedApp(name: "Big", rows: 10_000, columns: 10, seed: 9)
        let table = try #require(await sandbox.tenant.app(appID)?.dataModel.tables.first)
        let (_, rows, summary) = try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            defer { Task { await client.shutdown() } }
            return try await Self.read(TableReader(client: client, appID: appID, table: table.name, pagesInFlight: 2))
        }
        #expect(summary.reconnects >= 2, "\(summary)")
        #expect(rows == Self.expected(table))
    }

    @Test("fields are read in the order asked; unknown tables and fields are named with the nearest existing names")
    func fieldsAndNames() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let appID = await sandbox.addGeneratedApp(name: "Big", rows: 10, columns: 5, seed: 1)
        let table = try #require(await sandbox.tenant.app(appID)?.dataModel.tables.first)
        try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            defer { Task { await client.shutdown() } }
            let (header, rows, _) = try await Self.read(TableReader(client: client, appID: appID, table: "Facts", fields: ["Name3", "ID"]))
            #expect(header?.fields == ["Name3", "ID"])
            #expect(rows.first == [EngineCell(text: table.columns[3][0].displayText, number: nil), EngineCell(text: "0", number: 0)])
            let noTable = await #expect(throws: TableReader.Failure.self) { _ = try await Self.read(TableReader(client: client, appID: appID, table: "Fact")) }
            #expect(noTable?.description.contains("Did you mean 'Facts'?") == true)
            let noField = await #expect(throws: TableReader.Failure.self) {
                _ = try await Self.read(TableReader(client: client, appID: appID, table: "Facts", fields: ["Amount"]))
            }
            #expect(noField?.description.contains("'Amount2'") == true, "\(noField?.description ?? "")")
        }
    }

    @Test("many calls in flight on one socket are answered by id; engine errors are typed; session apps reload their script")
    func session() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let appID = try #require(await sandbox.tenant.apps.first?.id)
        try await withLiveSandbox(sandbox) { credentials in
            let client = try credentials.client(settings: directSettings)
            defer { Task { await client.shutdown() } }
            try await EngineSession.withSession(client: client, appID: appID) { session in
                let doc = try await session.openDoc()
                let versions = try await withThrowingTaskGroup(of: String.self) { group in
                    for _ in 0..<50 { group.addTask { try await session.engineVersion() } }
                    return try await group.reduce(into: [String]()) { $0.append($1) }
                }
                #expect(versions.count == 50 && Set(versions).count == 1)
                let refused = await #expect(throws: EngineError.self) { _ = try await session.call("NoSuchMethod", handle: doc, as: [String: Int].self) }
                if case .rpc(let code, _, _, let method)? = refused { #expect(code == -32601 && method == "NoSuchMethod") } else { Issue.record("not an rpc error") }
                let tooBig = await #expect(throws: EngineError.self) {
                    let object = try await session.createHyperCube(doc: try await session.createSessionApp(), fields: ["x"])
                    _ = try await session.hyperCubePage(object: object, top: 0, height: 20_000, width: 1)
                }
                #expect(tooBig != nil)
            }
            try await EngineSession.withSession(client: client, appID: appID) { session in
                let doc = try await session.createSessionApp()
                try await session.setScript(doc: doc, "T:\nLOAD * INLINE [\nA, B\n1, x\n2, y é\n];")
                #expect(try await session.doReload(doc: doc))
                #expect(try await session.script(doc: doc).hasPrefix("T:"))
                let tables = try await session.tablesAndKeys(doc: doc)
                #expect(tables.qtr.map(\.qName) == ["T"] && tables.qtr.first?.qNoOfRows == 2)
                let object = try await session.createHyperCube(doc: doc, fields: ["A", "B"])
                #expect(try await session.cubeSize(object: object) == EngineSession.CubeSize(columns: 2, rows: 2))
                let page = try await session.hyperCubePage(object: object, top: 0, height: 2, width: 2)
                #expect(page[1, 1].text == "y é" && page[0, 0] == EngineCell(text: "1", number: 1))
            }
        }
    }
}

@Suite("The engine page parser")
struct PageParserTests {
    @Test("reads texts with escapes and non-ASCII, numbers, NaN, nulls, extra keys in any order, and engine errors")
    func parses() throws {
        let page = #"""
            {"jsonrpc":"2.0","id":7,"result":{"qDataPages":[{"qMatrix":[
              [{"qText":"a \"b\" \\ \u00e9 \ud83d\ude00 \n","qNum":"NaN","qElemNumber":0,"qState":"O"},{"qState":"L","qNum":-1.5e3,"qText":"-1500","qElemNumber":4}],
              [{"qText":"-","qNum":"NaN","qElemNumber":-2,"qState":"O","qIsNull":true},{"qText":"日本","qNum":42,"qElemNumber":1,"qState":"O","qAttrExps":{"qValues":[{"x":[1,{"y":"]"}]}]}}]
            ],"qTails":[],"qArea":{"qTop":0,"qLeft":0,"qWidth":2,"qHeight":2}}]}}
            """#
        var cells: [EngineCell] = []
        let failure = try Array(page.utf8).withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) }
        #expect(failure == nil)
        #expect(cells == [EngineCell(text: "a \"b\" \\ é 😀 \n", number: nil), EngineCell(text: "-1500", number: -1500), .null, EngineCell(text: "日本", number: 42)])
        #expect(cells.map(\.element) == [0, 4, -2, 1], "element numbers kept: a read into QVD dedups values by them")
        cells.removeAll()
        let odd = #"{"result":{"qDataPages":[{"qMatrix":[[{"qText":"x","qNum":"NaN","qElemNumber":1.5,"qState":"O"},{"qText":"y","qNum":"NaN","qElemNumber":99999999999,"qState":"O"},{"qText":"z","qNum":"NaN","qElemNumber":2147483647,"qState":"O"},{"qText":"-","qNum":"NaN","qElemNumber": -2,"qState":"O"}]]}]}}"#
        _ = try Array(odd.utf8).withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) }
        #expect(cells.map(\.element) == [-1, -1, Int32.max, -2] && cells.map(\.text) == ["x", "y", "z", nil], "an element number that is not a small integer is 'none'; -2 after a space is NULL")
        let error = #"{"jsonrpc":"2.0","id":8,"error":{"code":7009,"parameter":"qPages","message":"Calculation pages too large"}}"#
        let refused = try Array(error.utf8).withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) }
        #expect(refused == .rpc(code: 7009, parameter: "qPages", message: "Calculation pages too large", method: "GetHyperCubeData"))
        let numbers = ["2.5", "0.1", "-0.007", "123456789012.345", "1234567890123456.7", "1e-7", "-1.5E+3", "9007199254740993", "0"]
        let matrix = numbers.map { #"[{"qText":"\#($0)","qNum":\#($0),"qElemNumber":0}]"# }.joined(separator: ",")
        cells.removeAll()
        _ = try Array(#"{"result":{"qDataPages":[{"qMatrix":[\#(matrix)]}]}}"#.utf8).withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) }
        #expect(cells.map(\.number) == numbers.map { Double($0) }, "numbers read as Swift's own parser reads them")
        #expect(throws: (any Error).self) { try Array(#"{"result":{"qDataPages":[{"qMatrix":[[{"qText":"x"#.utf8).withUnsafeBytes { try HyperCubePageParserProbe.parse($0, into: &cells) } }
    }
}
