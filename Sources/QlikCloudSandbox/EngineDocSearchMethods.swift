import Foundation
import QVD

/// The Doc class's search and temporary-state methods: finding values and fields by text or tag, selecting what a
/// search found, and keeping a selection state to restore later.
extension EngineSession {
    /// Answers the Doc's search methods; nil for any other method, so the Doc's dispatch goes on.
    mutating func docSearchMethod(_ method: String, _ params: Params) async throws -> [String: Any]? {
        switch method {
        case "GetMatchingFields":
            let tags = (params.array(0, "qTags") ?? []).compactMap { $0 as? String }
            let matchOne = (params.value(1, "qMatchingFieldMode") as? String).map { $0.hasSuffix("MATCH_ONE") } ?? (params.int(1, "qMatchingFieldMode") == 1)
            let index = await associativeIndex()
            return ["qFieldNames": index.fields.compactMap { field -> [String: Any]? in
                let fieldTags = EngineViews.tags(field.values)
                let matches = matchOne ? tags.contains(where: fieldTags.contains) : tags.allSatisfy(fieldTags.contains)
                return matches ? ["qName": field.name, "qTags": fieldTags] : nil
            }]
        case "FindMatchingFields":
            let name = params.string(0, "qFieldName") ?? ""
            let tags = (params.array(1, "qTags") ?? []).compactMap { $0 as? String }
            let (index, number) = try await field(named: name)
            // The fields of the same archipelago: the tables associated with the field's tables.
            let tables = index.fields[number].tables.reduce(into: Set<Int>()) { $0.formUnion(index.side(from: $1.table, avoiding: -1)) }
            return ["qFieldNames": index.fields.compactMap { field -> [String: Any]? in
                let fieldTags = EngineViews.tags(field.values)
                guard field.tables.contains(where: { tables.contains($0.table) }), tags.isEmpty || tags.contains(where: fieldTags.contains) else { return nil }
                return ["qName": field.name, "qTags": fieldTags]
            }]
        case "SearchValues", "SearchSuggest", "SearchResults":
            let options = params.object(0, "qOptions") ?? [:]
            let terms = (params.array(1, "qTerms") ?? []).compactMap { $0 as? String }.filter { !$0.isEmpty }
            let page = params.object(2, "qPage") ?? [:]
            let matches = await searchMatches(terms: terms, in: (options["qSearchFields"] as? [String]) ?? [])
            return ["qResult": Self.docSearchResult(method, terms: terms, matches: matches, page: page)]
        case "SelectAssociations":
            let options = params.object(0, "qOptions") ?? [:]
            let terms = (params.array(1, "qTerms") ?? []).compactMap { $0 as? String }.filter { !$0.isEmpty }
            let matchIndex = params.int(2, "qMatchIx") ?? 0
            let softLock = params.value(3, "qSoftLock") as? Bool ?? false
            let matches = await searchMatches(terms: terms, in: (options["qSearchFields"] as? [String]) ?? [])
            // Each field with matches is one combination, in the order SearchResults lists them.
            guard matches.indices.contains(matchIndex) else {
                throw RPCError(code: -32602, parameter: "qMatchIx", message: "qMatchIx \(matchIndex) is no search result: the terms match \(matches.count) field(s)")
            }
            let match = matches[matchIndex]
            _ = select(match.values.map { match.field.values[$0.element] }, in: match.field.name, toggle: false, softLock: softLock)
            return [:]
        case "StoreTempSelectionState":
            return ["qId": selections.storeTemporary()]
        case "RestoreTempSelectionState":
            let id = params.string(0, "qId") ?? ""
            guard let stored = selections.temporary(id) else { return ["qReturn": false] }
            changeSelections { $0 = stored }
            return ["qReturn": true]
        default:
            return nil
        }
    }

    /// The values of the searched fields (all when none are named) whose text contains a term, regardless of case;
    /// per field, each value with the terms it matched.
    private mutating func searchMatches(terms: [String], in fields: [String]) async -> [(field: AssociativeIndex.Field, values: [(element: Int, terms: [Int])])] {
        let index = await associativeIndex()
        let lowered = terms.map { $0.lowercased() }
        return index.fields.filter { fields.isEmpty || fields.contains($0.name) }.compactMap { field in
            let values = field.values.indices.compactMap { element -> (element: Int, terms: [Int])? in
                let text = (field.values[element].displayText ?? "").lowercased()
                let matched = lowered.indices.filter { text.contains(lowered[$0]) }
                return matched.isEmpty ? nil : (element, matched)
            }
            return values.isEmpty ? nil : (field, values)
        }
    }

    private static func docSearchResult(_ method: String, terms: [String], matches: [(field: AssociativeIndex.Field, values: [(element: Int, terms: [Int])])],
                                     page: [String: Any]) -> [String: Any] {
        let offset = page["qOffset"] as? Int ?? 0, count = page["qCount"] as? Int ?? matches.count
        let perField = (page["qMaxNbrFieldMatches"] as? Int).flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        let shown = matches.dropFirst(max(0, offset)).prefix(max(0, count))
        switch method {
        case "SearchSuggest":
            var suggestions: [[String: Any]] = []
            for match in matches { for value in match.values { for term in value.terms {
                suggestions.append(["qValue": match.field.values[value.element].displayText ?? "", "qTerm": term])
            } } }
            return ["qSuggestions": suggestions, "qFieldNames": matches.map(\.field.name)]
        case "SearchValues":
            return ["qSearchTerms": terms, "qFieldMatches": shown.map { match in
                ["qFieldName": match.field.name, "qValues": match.values.prefix(perField).map { value in
                    ["qText": match.field.values[value.element].displayText ?? "", "qElemNo": value.element, "qSearchTermsMatched": value.terms]
                }]
            }]
        default:
            let groups: [[String: Any]] = shown.enumerated().map { position, match in
                let matchedTerms = Array(Set(match.values.flatMap(\.terms))).sorted()
                let item: [String: Any] = [
                    "qItemType": "FIELD", "qTotalNumberOfMatches": match.values.count, "qIdentifier": match.field.name,
                    "qItemMatches": match.values.prefix(perField).map { value -> [String: Any] in
                        let text = match.field.values[value.element].displayText ?? ""
                        return ["qText": text, "qAttributes": [Any](), "qRanges": value.terms.compactMap { term -> [String: Any]? in
                            guard let range = text.range(of: terms[term], options: .caseInsensitive) else { return nil }
                            return ["qCharPos": text.distance(from: text.startIndex, to: range.lowerBound), "qCharCount": terms[term].count, "qTerm": term]
                        }]
                    },
                    "qSearchTermsMatched": matchedTerms, "qMatchType": "FM_SUBSTRING",
                ]
                return ["qId": offset + position, "qGroupType": "DATASET_GROUP", "qSearchTermsMatched": matchedTerms,
                        "qTotalNumberOfItems": 1, "qItems": [item]]
            }
            return ["qSearchTerms": terms, "qTotalNumberOfGroups": matches.count, "qSearchGroupArray": groups]
        }
    }
}
