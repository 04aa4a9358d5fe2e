import Foundation
import QVD
import Testing
@testable import QlikCloudSandbox

@Suite("The sandbox's load script subset")
struct LoadScriptTests {
    static func qvd(_ rows: [[QlikValue]], fields: [String]) throws -> [UInt8] {
        let writer = try QVDWriter(tableName: "T", fieldNames: fields)
        try writer.append(rows: rows)
        return try writer.finishInMemory()
    }

    @Test("labels, INLINE, FROM qvd and txt with * and AS, concatenation, DROP TABLE, comments and SET")
    func subset() throws {
        let files: [String: [UInt8]] = [
            "orders.qvd": try Self.qvd([[.integer(1), .text("a")], [.integer(2), .text("b")]], fields: ["OrderID", "Code"]),
            "more.csv": Array("OrderID,Code\n3,c\n4,\"d, e\"\n".utf8),
        ]
        let script = """
            SET ThousandSep=',';
            // a comment; with a semicolon
            Regions:
            LOAD * INLINE [
            Region, Manager
            EU, Anna
            US, Bob
            ];
            /* block
               comment */
            Orders:
            LOAD OrderID, Code AS [Order Code] FROM [lib://DataFiles/orders.qvd] (qvd);
            LOAD OrderID, Code AS [Order Code] FROM [lib://DataFiles/more.csv] (txt, utf8, embedded labels, delimiter is ',');
            Temp: LOAD * INLINE [X
            1];
            DROP TABLE Temp;
            """
        guard case .success(let (model, log)) = LoadScript(dataFile: { files[$0.name] }).run(script) else {
            Issue.record("the script failed")
            return
        }
        #expect(model.tables.map(\.name) == ["Regions", "Orders"])
        #expect(model.table("Regions")?.columns == [[.text("EU"), .text("US")], [.text("Anna"), .text("Bob")]])
        let orders = try #require(model.table("Orders"))
        #expect(orders.fields == ["OrderID", "Order Code"])
        #expect(orders.columns[0] == [.integer(1), .integer(2), .integer(3), .integer(4)])
        #expect(orders.columns[1] == [.text("a"), .text("b"), .text("c"), .text("d, e")])
        #expect(log.first == "Started loading data" && log.contains("Finished successfully"))
    }

    @Test("a script error names the statement's line", arguments: [
        ("Orders:\nLOAD * FROM [lib://DataFiles/missing.qvd] (qvd);", "Cannot open file", 1),
        ("SET a=1;\n\nLOAD Nope FROM [lib://DataFiles/x.csv] (txt, utf8, embedded labels, delimiter is ',');", "Field 'Nope' not found", 3),
        ("LOAD * INLINE [A\n1];\nSELECT * FROM t;", "Unknown statement", 3),
        ("DROP TABLE Nothing;", "Table 'Nothing' not found", 1),
    ])
    func errors(_ script: String, _ message: String, _ line: Int) {
        let files = ["x.csv": Array("A\n1\n".utf8)]
        guard case .failure(let failure) = LoadScript(dataFile: { files[$0.name] }).run(script) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.message.contains(message), "\(failure.message)")
        #expect(failure.line == line)
    }

    @Test("lib:// paths: DataFiles, a space's DataFiles by name (any case) and the app's own; anything else is no data file",
          arguments: [
            ("lib://DataFiles/orders.csv", nil, "orders.csv"), ("LIB://datafiles/sub/x.qvd", nil, "sub/x.qvd"),
            ("lib://Sales Data:DataFiles/orders.csv", "Sales Data", "orders.csv"), ("lib://:DataFiles/a b.csv", "", "a b.csv"),
          ] as [(String, String?, String)])
    func references(_ path: String, _ space: String?, _ name: String) {
        #expect(LoadScript.DataFileReference(path: path) == LoadScript.DataFileReference(space: space, name: name))
    }

    @Test("paths that name no DataFiles connection are refused", arguments: ["lib://Snowflake/x.csv", "lib://a/b:DataFiles/x.csv", "/tmp/x.csv"])
    func notDataFiles(_ path: String) {
        #expect(LoadScript.DataFileReference(path: path) == nil)
        guard case .failure(let failure) = LoadScript(dataFile: { _ in [] }).run("LOAD * FROM [\(path)] (qvd);") else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.message.contains("only DataFiles connections are available"), "\(failure.message)")
    }

    @Test("a plain DataFiles path reads the app's space first, then the personal space, then any; a named space only its own files")
    func libraryResolution() {
        func file(_ space: String?, _ text: String) -> DataFileLibrary.File { DataFileLibrary.File(name: "t.csv", spaceID: space, content: Array(text.utf8)) }
        let spaces = ["s1": "Sales", "s2": "Sales Data"]
        let all = [file("s2", "data space"), file(nil, "personal"), file("s1", "own space")]
        func read(_ files: [DataFileLibrary.File], app: String?, _ space: String?) -> String? {
            DataFileLibrary(files: files, spaceNames: spaces, appSpaceID: app).content(LoadScript.DataFileReference(space: space, name: "t.csv"))
                .map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(read(all, app: "s1", nil) == "own space")
        #expect(read(all, app: nil, nil) == "personal")
        #expect(read(Array(all.prefix(1)), app: "s1", nil) == "data space", "lenient: a file of another space when neither has it")
        #expect(read(all, app: nil, "sales data") == "data space")
        #expect(read(all, app: "s2", "Sales") == "own space")
        #expect(read(all, app: "s1", "") == "own space")
        #expect(read(Array(all.prefix(2)), app: "s1", "") == nil, "the app's own space holds no such file")
        #expect(read(all, app: nil, "Marketing") == nil)
    }
}
