import Foundation
import NIOCore
import Testing
@testable import QlikCloudAPI
import TestTenants

/// Stands in for the engine: keeps each request exactly as sent and answers
/// it with the `result` that `answer` gives for its method, handle and params.
actor ScriptedEngine {
    private(set) var requests: [String] = []
    let answer: @Sendable (_ method: String, _ handle: Int, _ params: String) -> String

    init(answer: @escaping @Sendable (_ method: String, _ handle: Int, _ params: String) -> String) { self.answer = answer }

    func record(_ text: String) { requests.append(text) }

    /// A session on document handle 1 whose requests go to this engine.
    func session() async -> EngineSession {
        let connection = EngineConnection()
        let answer = self.answer
        await connection.attach(send: { [self] text in
            await self.record(text)
            guard let request = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], let id = request["id"] as? Int,
                  let method = request["method"] as? String, let handle = request["handle"] as? Int, let params = request["params"] else {
                throw TestFailure("not a JSON-RPC request: \(text)")
            }
            let paramsText = String(decoding: try JSONSerialization.data(withJSONObject: params, options: [.sortedKeys]), as: UTF8.self)
            await connection.deliver(ByteBuffer(string: #"{"jsonrpc":"2.0","id":\#(id),"result":\#(answer(method, handle, paramsText))}"#))
        })
        return EngineSession(connection: connection, appID: "app-1")
    }
}

@Suite("Selections: the engine calls a read makes before its hypercube")
struct SelectionEngineCallsTests {
    static let model = try? JSONDecoder().decode(TablesAndKeys.self, from: Data(#"""
        {"qtr":[{"qName":"Orders","qFields":[{"qName":"OrderID"},{"qName":"CustomerID"},{"qName":"Value"}]},
                {"qName":"Regions","qFields":[{"qName":"Country"},{"qName":"Region"}]}]}
        """#.utf8))

    /// An engine whose every field holds `values` (text, number or nil), served one list page per request.
    static func engine(values: [(String, Double?)], selects: Bool = true) -> ScriptedEngine {
        ScriptedEngine { method, handle, params in
            switch method {
            case "CreateSessionObject": return #"{"qReturn":{"qType":"GenericObject","qHandle":5,"qGenericId":"values-1"}}"#
            case "GetLayout": return #"{"qLayout":{"qListObject":{"qSize":{"qcx":1,"qcy":\#(values.count)}}}}"#
            case "GetListObjectData":
                // params as sorted JSON: ["/qListObjectDef",[{"qHeight":h,"qLeft":0,"qTop":t,"qWidth":1}]]
                let numbers = params.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
                let (height, top) = (numbers[0], numbers[2])
                let cells = values[top..<min(values.count, top + height)].enumerated().map { index, value in
                    #"[{"qText":\#(JSONString.quote(value.0)),"qNum":\#(value.1.map { "\($0)" } ?? "\"NaN\""),"qElemNumber":\#(top + index),"qState":"O"}]"#
                }
                return #"{"qDataPages":[{"qMatrix":[\#(cells.joined(separator: ","))],"qArea":{"qTop":\#(top),"qLeft":0,"qWidth":1,"qHeight":\#(cells.count)}}]}"#
            case "DestroySessionObject": return #"{"qSuccess":true}"#
            case "GetField": return #"{"qReturn":{"qType":"Field","qHandle":7}}"#
            case "SelectValues": return #"{"qReturn":\#(selects)}"#
            default: return "{}"
            }
        }
    }

    static let regions: [(String, Double?)] = [("EMEA", nil), ("APAC", nil), ("Americas", nil)]

    static func resolveAndApply(_ engine: ScriptedEngine, _ selections: [FieldSelection]) async throws {
        let session = await engine.session()
        let model = try #require(Self.model)
        let resolved = try await ResolvedSelections.resolve(selections, session: session, doc: 1, model: model)
        try await resolved.apply(session: session, doc: 1)
    }

    @Test("a selection reads the field's values through a session list object, then GetField and SelectValues with the values as the engine holds them")
    func exactCalls() async throws {
        let engine = Self.engine(values: Self.regions)
        try await Self.resolveAndApply(engine, [try FieldSelection(field: "Region", values: ["APAC", "EMEA"])])
        #expect(await engine.requests == [
            #"{"jsonrpc":"2.0","id":1,"handle":1,"method":"CreateSessionObject","params":[{"qInfo":{"qType":"qlik-connector-field-values"},"qListObjectDef":{"qDef":{"qFieldDefs":["Region"]},"qInitialDataFetch":[]}}]}"#,
            #"{"jsonrpc":"2.0","id":2,"handle":5,"method":"GetLayout","params":[]}"#,
            #"{"jsonrpc":"2.0","id":3,"handle":5,"method":"GetListObjectData","params":["/qListObjectDef",[{"qTop":0,"qLeft":0,"qWidth":1,"qHeight":3}]]}"#,
            #"{"jsonrpc":"2.0","id":4,"handle":1,"method":"DestroySessionObject","params":["values-1"]}"#,
            #"{"jsonrpc":"2.0","id":5,"handle":1,"method":"GetField","params":["Region"]}"#,
            #"{"jsonrpc":"2.0","id":6,"handle":7,"method":"SelectValues","params":[[{"qText":"APAC","qIsNumeric":false,"qNumber":0},{"qText":"EMEA","qIsNumeric":false,"qNumber":0}],false,false]}"#,
        ])
    }

    @Test("an asked number matches the value with that number (sent as numeric, with the engine's text); a text matches only the same text")
    func numbersAsNumbers() async throws {
        let engine = Self.engine(values: [("2024", 2024), ("1.5", 1.5), ("EMEA", nil)])
        try await Self.resolveAndApply(engine, [try FieldSelection(field: "Value", values: ["2024.0", "1.50", "EMEA"])])
        let select = try #require(await engine.requests.last)
        #expect(select.hasSuffix(#""method":"SelectValues","params":[[{"qText":"2024","qIsNumeric":true,"qNumber":2024},{"qText":"1.5","qIsNumeric":true,"qNumber":1.5},{"qText":"EMEA","qIsNumeric":false,"qNumber":0}],false,false]}"#), "\(select)")
        let textOnly = await #expect(throws: TableReader.Failure.self) {
            try await Self.resolveAndApply(Self.engine(values: [("2024", nil)]), [try FieldSelection(field: "Value", values: ["2024.0"])])
        }
        #expect(textOnly?.description.hasPrefix("The field 'Value' has no value '2024.0'") == true)
    }

    @Test("values the field does not hold fail before any selection, each with the field's nearest values (letter case first)")
    func missingValues() async throws {
        let engine = Self.engine(values: Self.regions)
        let failure = await #expect(throws: TableReader.Failure.self) {
            try await Self.resolveAndApply(engine, [try FieldSelection(field: "Region", values: ["emea", "Asia", "EMEA"])])
        }
        #expect(failure?.description == "The field 'Region' has no value 'emea' (nearest: 'EMEA', 'APAC', 'Americas') nor 'Asia' (nearest: 'APAC', 'EMEA', 'Americas'). "
                + "Values match exactly: texts as texts (letter case too), numbers as numbers.")
        #expect(await engine.requests.allSatisfy { !$0.contains("SelectValues") && !$0.contains("GetField") })
    }

    @Test("a field the app does not have fails before any engine call, naming the nearest and listing the app's fields")
    func unknownField() async throws {
        let engine = Self.engine(values: Self.regions)
        let failure = await #expect(throws: TableReader.Failure.self) {
            try await Self.resolveAndApply(engine, [try FieldSelection(field: "Regoin", values: ["EMEA"])])
        }
        #expect(failure?.description == "The app has no field 'Regoin' to select in. Did you mean 'Region'? Its fields: 'OrderID', 'CustomerID', 'Value', 'Country', 'Region'.")
        #expect(await engine.requests.isEmpty)
    }

    @Test("a field selected twice is refused, since a second selection would replace the first")
    func repeated() async throws {
        let failure = await #expect(throws: TableReader.Failure.self) {
            try await Self.resolveAndApply(Self.engine(values: Self.regions),
                                           [try FieldSelection(field: "Region", values: ["EMEA"]), try FieldSelection(field: "Region", values: ["APAC"])])
        }
        #expect(failure?.description.contains("'Region' is selected twice") == true)
    }

    @Test("the field's values are read page by page to the list's size")
    func paging() async throws {
        let engine = Self.engine(values: Self.regions)
        let pages = PagesBox()
        try await engine.session().forEachFieldValuePage(doc: 1, field: "Unit Price", valuesPerPage: 2) { pages.value.append($0.map(\.text)) }
        #expect(pages.value == [["EMEA", "APAC"], ["Americas"]])
        let requests = await engine.requests.filter { $0.contains("GetListObjectData") }
        #expect(requests.map { $0.contains(#""qTop":0,"qLeft":0,"qWidth":1,"qHeight":2"#) } == [true, false])
        #expect(requests.last?.contains(#""qTop":2,"qLeft":0,"qWidth":1,"qHeight":1"#) == true)
        #expect(await engine.requests.first?.contains(#""qFieldDefs":["[Unit Price]"]"#) == true)
    }

    /// Pages as handed to the (non-escaping, synchronous) page body.
    final class PagesBox { var value: [[String]] = [] }

    @Test("at most five nearest values: a difference of letter case first, then a prefix, then by edit distance, ties by text")
    func nearestRanking() async throws {
        let values = (1...12).map { ("Region \($0)", Optional<Double>.none) } + [("EMEA-North", nil), ("emea", nil)]
        let failure = await #expect(throws: TableReader.Failure.self) {
            try await Self.resolveAndApply(Self.engine(values: values), [try FieldSelection(field: "Region", values: ["EMEA"])])
        }
        #expect(failure?.description.hasPrefix("The field 'Region' has no value 'EMEA' (nearest: 'emea', 'EMEA-North', 'Region 1', 'Region 2', 'Region 3').") == true,
                "\(failure?.description ?? "")")
    }

    @Test("a selection the engine does not make stops the read, naming the field")
    func refused() async throws {
        let failure = await #expect(throws: TableReader.Failure.self) {
            try await Self.resolveAndApply(Self.engine(values: Self.regions, selects: false), [try FieldSelection(field: "Region", values: ["EMEA"])])
        }
        #expect(failure?.description.hasPrefix("The engine did not make the selection in 'Region'") == true)
    }
}
