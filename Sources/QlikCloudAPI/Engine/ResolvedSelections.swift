import Foundation
import QlikConnections

/// Selections checked against one app: each field's asked values as the
/// engine holds them. Found once (fields from the data model, values from
/// each field's list), then applied on every session a read opens, since the
/// engine keeps selections per session.
struct ResolvedSelections: Sendable, Equatable {
    struct Entry: Sendable, Equatable {
        let field: String
        let values: [FieldValue]
    }

    let entries: [Entry]

    /// Every field and value must exist; a missing one is a ``TableReader/Failure`` that names what does.
    static func resolve(_ selections: [FieldSelection], session: EngineSession, doc: Int, model: TablesAndKeys) async throws -> ResolvedSelections {
        var appFields: [String] = []
        for table in model.qtr { for field in table.qFields ?? [] where !appFields.contains(field.qName) { appFields.append(field.qName) } }
        var seen: Set<String> = []
        for selection in selections {
            guard appFields.contains(selection.field) else { throw TableReader.Failure.unknownSelectionField(selection.field, appFields: appFields) }
            guard seen.insert(selection.field).inserted else { throw TableReader.Failure.repeatedSelectionField(selection.field) }
        }
        var entries: [Entry] = []
        for selection in selections {
            let known = try await session.fieldValues(doc: doc, field: selection.field)
            var found: [FieldValue] = []
            var missing: [TableReader.Failure.MissingValue] = []
            for asked in selection.values {
                let matches = match(asked, among: known)
                if matches.isEmpty { missing.append(.init(value: asked, nearest: nearest(asked, among: known))) }
                for value in matches where !found.contains(value) { found.append(value) }
            }
            if !missing.isEmpty { throw TableReader.Failure.unknownSelectionValues(field: selection.field, missing: missing) }
            entries.append(Entry(field: selection.field, values: found))
        }
        return ResolvedSelections(entries: entries)
    }

    /// Selects each entry's values in turn; each narrows what the others leave (the associative model).
    func apply(session: EngineSession, doc: Int) async throws {
        for entry in entries {
            let field = try await session.field(doc: doc, name: entry.field)
            guard try await session.selectValues(field: field, entry.values) else { throw TableReader.Failure.selectionRefused(entry.field) }
        }
    }

    /// The field's values an asked value names, as the engine compares them: the same text, or, for an asked number, the same number.
    static func match(_ asked: String, among values: [FieldValue]) -> [FieldValue] {
        let number = Double(asked.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
        return values.filter { $0.text == asked || (number != nil && $0.number == number) }
    }

    /// At most `limit` values nearest an asked one: the same but for letter case first, then those it starts (or that start it), then by edit distance.
    static func nearest(_ asked: String, among values: [FieldValue], limit: Int = 5) -> [String] {
        let target = asked.lowercased()
        let targetCharacters = Array(target)
        let ranked = values.map { value -> (text: String, rank: Int, distance: Int) in
            let lowered = value.text.lowercased()
            let rank = lowered == target ? 0 : (!lowered.isEmpty && (lowered.hasPrefix(target) || target.hasPrefix(lowered)) ? 1 : 2)
            return (value.text, rank, NearestNames.distance(targetCharacters, Array(lowered)))
        }
        return ranked.sorted { ($0.rank, $0.distance, $0.text) < ($1.rank, $1.distance, $1.text) }.prefix(limit).map(\.text)
    }
}
