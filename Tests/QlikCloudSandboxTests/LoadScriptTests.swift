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
        guard case .success(let (model, log)) = LoadScript(dataFile: { files[$0] }).run(script) else {
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
        guard case .failure(let failure) = LoadScript(dataFile: { files[$0] }).run(script) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.message.contains(message), "\(failure.message)")
        #expect(failure.line == line)
    }
}
