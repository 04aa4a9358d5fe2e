import Foundation

/// A value of a field as the engine takes it in a selection (its `FieldValue`):
/// its text, and its number when the value has one. The engine matches a
/// numeric value by its number and another by its text.
public struct FieldValue: Sendable, Equatable {
    public let text: String
    public let number: Double?

    public init(text: String, number: Double?) {
        self.text = text
        self.number = number
    }

    /// `{qText, qIsNumeric, qNumber}` as JSON.
    var json: String {
        #"{"qText":\#(JSONString.quote(text)),"qIsNumeric":\#(number != nil),"qNumber":\#(Self.jsonNumber(number ?? 0))}"#
    }

    /// A finite number as JSON: whole numbers without a fraction, others in Swift's shortest exact form.
    static func jsonNumber(_ number: Double) -> String {
        guard number.isFinite else { return "0" }
        if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
        return "\(number)"
    }
}

/// The engine's Field class and list objects: what a read needs to select values before it reads.
extension EngineSession {
    private struct Returned<Value: Decodable & Sendable>: Decodable, Sendable { let qReturn: Value }

    /// `Doc.GetField`: the handle of the field's Field object.
    public func field(doc: Int, name: String) async throws(EngineError) -> Int {
        try await call("GetField", handle: doc, params: "[\(Self.quote(name))]", as: Returned<Handle>.self).qReturn.qHandle
    }

    /// `Field.SelectValues`: the field's selection becomes exactly `values` (no toggling, no soft lock); whether the engine made it.
    public func selectValues(field: Int, _ values: [FieldValue]) async throws(EngineError) -> Bool {
        let list = values.map(\.json).joined(separator: ",")
        return try await call("SelectValues", handle: field, params: "[[\(list)],false,false]", as: Returned<Bool>.self).qReturn
    }

    /// Every distinct value of a field, handed to `body` a page (at most 10,000 values) at a time, so a field of
    /// millions of values is never held whole; read through a session list object that is destroyed afterwards.
    public func forEachFieldValuePage(doc: Int, field: String, valuesPerPage: Int = 10_000,
                                      _ body: ([FieldValue]) -> Void) async throws(EngineError) {
        let definition = #"[{"qInfo":{"qType":"qlik-connector-field-values"},"qListObjectDef":{"qDef":{"qFieldDefs":[\#(Self.quote(Self.fieldReference(field)))]},"qInitialDataFetch":[]}}]"#
        let object = try await call("CreateSessionObject", handle: doc, params: definition, as: Returned<Handle>.self).qReturn
        struct Layout: Decodable {
            struct Inner: Decodable { struct List: Decodable { struct Size: Decodable { let qcy: Int }; let qSize: Size }; let qListObject: List }
            let qLayout: Inner
        }
        let count = try await call("GetLayout", handle: object.qHandle, as: Layout.self).qLayout.qListObject.qSize.qcy
        let height = max(1, min(valuesPerPage, 10_000))
        var top = 0
        while top < count {
            let pages = try await call("GetListObjectData", handle: object.qHandle,
                                       params: #"["/qListObjectDef",[{"qTop":\#(top),"qLeft":0,"qWidth":1,"qHeight":\#(min(height, count - top))}]]"#,
                                       as: ListObjectPages.self).qDataPages
            let rows = pages.flatMap(\.qMatrix)
            // An empty page before the end would loop for ever: the list changed under the read.
            guard !rows.isEmpty else { throw .malformed("GetListObjectData sent no values at \(top) of \(count) in field '\(field)'") }
            body(rows.compactMap { row in
                guard let cell = row.first, let text = cell.qText ?? cell.qNum.map(FieldValue.jsonNumber) else { return nil }
                return FieldValue(text: text, number: cell.qNum)
            })
            top += rows.count
        }
        if let id = object.qGenericId { try await destroySessionObject(doc: doc, id: id) }
    }

    /// `GetListObjectData`'s answer: cells whose `qNum` is a number, or "NaN" for a value without one.
    struct ListObjectPages: Decodable {
        struct Page: Decodable { let qMatrix: [[Cell]] }
        struct Cell: Decodable {
            let qText: String?
            let qNum: Double?

            enum CodingKeys: String, CodingKey { case qText, qNum }

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                qText = try container.decodeIfPresent(String.self, forKey: .qText)
                // The engine writes "NaN" (a string) for a value that is no number.
                qNum = try? container.decode(Double.self, forKey: .qNum)
            }
        }
        let qDataPages: [Page]
    }
}
