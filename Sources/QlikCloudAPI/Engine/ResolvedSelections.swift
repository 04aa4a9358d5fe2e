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
            // One pass over the field's values finds the asked ones; only when some are missing does a second pass rank the nearest.
            let numbers = selection.values.map(number)
            var matches = Array(repeating: [FieldValue](), count: selection.values.count)
            try await session.forEachFieldValuePage(doc: doc, field: selection.field) { page in
                for value in page {
                    for (index, asked) in selection.values.enumerated() where value.text == asked || (numbers[index] != nil && value.number == numbers[index]) {
                        matches[index].append(value)
                    }
                }
            }
            let missing = selection.values.indices.filter { matches[$0].isEmpty }.map { selection.values[$0] }
            guard missing.isEmpty else {
                var nearest = missing.map { NearestValues(to: $0) }
                try await session.forEachFieldValuePage(doc: doc, field: selection.field) { page in
                    for value in page { for index in nearest.indices { nearest[index].consider(value.text) } }
                }
                throw TableReader.Failure.unknownSelectionValues(field: selection.field, missing: nearest.map { .init(value: $0.asked, nearest: $0.texts) })
            }
            // In the order asked, each value once.
            var found: [FieldValue] = []
            for value in matches.joined() where !found.contains(value) { found.append(value) }
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

    /// An asked value as the number it names, if it names one: matched against the values' numbers, as the engine matches numeric values.
    static func number(_ asked: String) -> Double? {
        Double(asked.trimmingCharacters(in: .whitespaces)).flatMap { $0.isFinite ? $0 : nil }
    }
}

/// The at most `limit` values nearest an asked one, kept while the field's values stream by: the same but for
/// letter case first, then those it starts (or that start it), then by edit distance; ties by text.
struct NearestValues {
    let asked: String
    let limit: Int
    private let target: [Character]
    private let targetText: String
    private var kept: [(rank: Int, distance: Int, text: String)] = []

    init(to asked: String, limit: Int = 5) {
        self.asked = asked
        self.limit = limit
        targetText = asked.lowercased()
        target = Array(targetText)
    }

    var texts: [String] { kept.map(\.text) }

    mutating func consider(_ text: String) {
        let lowered = text.lowercased()
        let prefix = !lowered.isEmpty && (lowered.hasPrefix(targetText) || targetText.hasPrefix(lowered))
        let candidate = (rank: lowered == targetText ? 0 : (prefix ? 1 : 2), distance: NearestNames.distance(target, Array(lowered)), text: text)
        if kept.count == limit, let last = kept.last, (last.rank, last.distance, last.text) <= (candidate.rank, candidate.distance, candidate.text) { return }
        let position = kept.firstIndex { ($0.rank, $0.distance, $0.text) > (candidate.rank, candidate.distance, candidate.text) } ?? kept.endIndex
        kept.insert(candidate, at: position)
        if kept.count > limit { kept.removeLast() }
    }
}
