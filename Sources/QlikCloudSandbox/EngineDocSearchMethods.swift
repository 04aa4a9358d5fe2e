import Foundation
import QVD

/// The Doc class's search and temporary-state methods: finding values and fields by text or tag, selecting what a
/// search found, and keeping a selection state to restore later.
extension EngineConversation {
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
        case "SearchObjects":
            let terms = (params.array(1, "qTerms") ?? []).compactMap { $0 as? String }.filter { !$0.isEmpty }
            let page = params.object(2, "qPage") ?? [:]
            return ["qResult": Self.docObjectSearchResult(terms: terms, objects: await reachableObjects().items, page: page)]
        case "CreateTemporaryBookmark":
            let options = params.object(0, "qOptions") ?? [:]
            let ids = Set((params.array(1, "qObjectIdsToPatch") ?? []).compactMap { $0 as? String })
            let allPatches = options["qIncludeAllPatches"] as? Bool ?? false
            let id = Identifier.uuid()
            // At most SelectionState.temporaryLimit per session: one more drops the oldest.
            selections.temporaryBookmarks.keep(SelectionState.TemporaryBookmark(
                selections: selections.current, alternates: selections.alternates.mapValues(\.current),
                patches: softPatches.filter { allPatches || ids.contains($0.key) }), as: id)
            return ["qId": id, "qReturn": true]
        case "ApplyTemporaryBookmark":
            guard let bookmark = selections.temporaryBookmarks[params.string(0, "qId") ?? ""] else { return ["qReturn": false] }
            changeSelections { $0 = bookmark.selections }
            for (name, stored) in bookmark.alternates where selections.alternates[name] != nil {
                try await inSelectionState(name) { session in session.changeSelections { $0 = stored } }
            }
            for (objectID, patched) in bookmark.patches {
                softPatches[objectID] = patched
                // The objects' data was built from the properties before the patch.
                for (handle, target) in handles { if case .genericObject(objectID) = target { objects[handle] = nil } }
            }
            markAllObjectsChanged()
            return ["qReturn": true]
        case "StoreTempSelectionState":
            let seconds = (params.value(0, "qTTLOfTempState") as? NSNumber)?.doubleValue ?? 0
            return ["qId": selections.storeTemporary(now: tenant.clock(), seconds: seconds)]
        case "RestoreTempSelectionState":
            let id = params.string(0, "qId") ?? ""
            guard let stored = selections.temporary(id, now: tenant.clock()) else { return ["qReturn": false] }
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

    /// SearchObjects: the app's objects whose title contains a term, regardless of case;
    /// a group per object, as SearchResults makes a group per field.
    private static func docObjectSearchResult(terms: [String], objects: [AppObject], page: [String: Any]) -> [String: Any] {
        let found: [(object: AppObject, title: String, terms: [Int])] = objects.compactMap { object in
            // A sheet's title is in qMetaDef, a chart's at the root (as Qlik Sense writes them), a master item's in its definition.
            let title = [object.title, object.properties.value(at: "/title")?.string ?? "", object.properties.value(at: "/qMeasure/qLabel")?.string ?? "",
                         object.properties.value(at: "/qDim/title")?.string ?? ""].first { !$0.isEmpty } ?? ""
            let matched = terms.indices.filter { title.range(of: terms[$0], options: .caseInsensitive) != nil }
            return matched.isEmpty ? nil : (object, title, matched)
        }
        let offset = page["qOffset"] as? Int ?? 0, count = page["qCount"] as? Int ?? found.count
        let groups: [[String: Any]] = found.dropFirst(max(0, offset)).prefix(max(0, count)).enumerated().map { position, match in
            let ranges: [[String: Any]] = match.terms.compactMap { term in
                guard let range = match.title.range(of: terms[term], options: .caseInsensitive) else { return nil }
                return ["qCharPos": match.title.distance(from: match.title.startIndex, to: range.lowerBound), "qCharCount": terms[term].count, "qTerm": term]
            }
            let item: [String: Any] = [
                "qItemType": "GENERIC_OBJECT", "qTotalNumberOfMatches": 1, "qIdentifier": match.object.id, "qSearchTermsMatched": match.terms,
                "qMatchType": "FM_SUBSTRING",
                "qItemMatches": [["qText": match.title, "qRanges": ranges, "qAttributes": [["qKey": "qType", "qValue": match.object.type]]]],
            ]
            return ["qId": offset + position, "qGroupType": "GENERIC_OBJECTS_GROUP", "qSearchTermsMatched": match.terms,
                    "qTotalNumberOfItems": 1, "qItems": [item]]
        }
        return ["qSearchTerms": terms, "qTotalNumberOfGroups": found.count, "qSearchGroupArray": groups]
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
