import Foundation
import QVD

/// The selections of one engine session (one WebSocket): per field the
/// selected values, the locked fields, and the Back/Forward history. Values
/// are kept as values, not element numbers, so they survive a reload.
/// It also keeps what is computed from them (the inference and the views of
/// objects), dropped whenever the selections or the data change.
struct SelectionState {
    struct Selections: Equatable {
        /// Per field name, the selected values in the order they were selected.
        var values: [String: [QlikValue]] = [:]
        var locked: Set<String> = []
    }

    private(set) var current = Selections()
    private(set) var back: [Selections] = []
    private(set) var forward: [Selections] = []
    /// Grows on every change of `current`: what was computed for an older version is stale.
    private(set) var version = 0

    /// The data model the caches below were computed for, and its index.
    private var indexed: (model: DataModel, index: AssociativeIndex)?
    private var inferenceCache: (version: Int, inference: AssociativeInference)?
    /// Per field number, the inference without that field's own selection (what makes its values alternative).
    private var alternativeCache: (version: Int, byField: [Int: [Bool]]) = (-1, [:])

    /// How many Back steps a session keeps: the oldest are dropped beyond it, so a client can rely on this many.
    static let historyLimit = 100
    /// How many temporary selection states, and separately temporary bookmarks, a session keeps: storing one more drops the oldest.
    static let temporaryLimit = 100
    /// How long a temporary selection state lives when StoreTempSelectionState names no positive qTTLOfTempState: 30 minutes, as Qlik documents.
    static let temporaryStateLifetime: Double = 30 * 60

    /// Selection states kept by StoreTempSelectionState, by id, with when each expires.
    private var temporaryStates = EvictingStore<(selections: Selections, expires: Date)>(limit: temporaryLimit)

    /// Keeps the current selections under a new id (StoreTempSelectionState) for `seconds` (30 minutes when not positive) and answers it.
    mutating func storeTemporary(now: Date, seconds: Double) -> String {
        let id = Identifier.uuid()
        temporaryStates.keep((current, now.addingTimeInterval(seconds > 0 ? seconds : Self.temporaryStateLifetime)), as: id)
        return id
    }

    /// A stored selection state that has not expired.
    mutating func temporary(_ id: String, now: Date) -> Selections? {
        guard let stored = temporaryStates[id] else { return nil }
        guard stored.expires > now else {
            temporaryStates.remove(id)
            return nil
        }
        return stored.selections
    }

    /// What a temporary bookmark keeps (CreateTemporaryBookmark): the selections of every state and soft patches by object id.
    struct TemporaryBookmark {
        let selections: Selections
        let alternates: [String: Selections]
        let patches: [String: JSONValue]
    }

    var temporaryBookmarks = EvictingStore<TemporaryBookmark>(limit: temporaryLimit)

    /// Alternate states (AddSessionAlternateState), by name: each with its own selections and history.
    var alternates: [String: SelectionState] = [:]
    /// The alternate state a Field or object handle works in (qStateName); absent: the default state, `$`.
    var handleStates: [Int: String] = [:]

    /// A list object's search in progress (SearchListObjectFor), by handle, until accepted or aborted.
    var listSearches: [Int: String] = [:]

    /// The selections when a selection mode began (GenericObject.BeginSelections), until it ends.
    private(set) var modalStart: Selections?

    mutating func beginModal() { modalStart = current }

    /// Ends the selection mode; answers the selections it began with.
    mutating func endModal() -> Selections? {
        defer { modalStart = nil }
        return modalStart
    }

    /// Objects' cubes as computed for a version of the selections and an index, by handle.
    private var cubeViews: [Int: (version: Int, index: AssociativeIndex, cube: HyperCube)] = [:]

    func cubeView(_ handle: Int, index: AssociativeIndex, of cube: HyperCube) -> HyperCube? {
        guard let view = cubeViews[handle], view.version == version, view.index === index, view.cube.identity == cube.identity else { return nil }
        return view.cube
    }

    mutating func keep(cubeView cube: HyperCube, for handle: Int, index: AssociativeIndex) {
        cubeViews[handle] = (version, index, cube)
    }

    /// The handle's cube was built anew (its properties changed): what was computed from the old one is stale.
    mutating func forgetCubeView(_ handle: Int) {
        cubeViews[handle] = nil
    }

    /// Changes the selections; records a Back step only when something changed. Answers whether it did.
    @discardableResult
    mutating func update(_ change: (inout Selections) -> Void) -> Bool {
        var next = current
        change(&next)
        next.values = next.values.filter { !$0.value.isEmpty }
        guard next != current else { return false }
        pushBack(current)
        forward = []
        current = next
        version += 1
        return true
    }

    /// Replaces every unlocked field's selection by `selections` ("field -> values"), as applying a bookmark
    /// does (GenericBookmark.Apply, Doc.ApplyBookmark): locked fields keep theirs; one Back step.
    @discardableResult
    mutating func apply(_ selections: [String: [QlikValue]]) -> Bool {
        update { state in
            state.values = state.values.filter { state.locked.contains($0.key) }
            for (field, values) in selections where !state.locked.contains(field) { state.values[field] = values }
        }
    }

    /// Records a Back step, dropping the oldest beyond ``historyLimit``.
    private mutating func pushBack(_ selections: Selections) {
        back.append(selections)
        if back.count > Self.historyLimit { back.removeFirst(back.count - Self.historyLimit) }
    }

    mutating func goBack() -> Bool {
        guard let previous = back.popLast() else { return false }
        forward.append(current)
        current = previous
        version += 1
        return true
    }

    mutating func goForward() -> Bool {
        guard let next = forward.popLast() else { return false }
        pushBack(current)
        current = next
        version += 1
        return true
    }

    /// The index of `model`, built once per data model (a reload gives a new one).
    mutating func index(of model: DataModel) -> AssociativeIndex {
        // Array equality first compares storage identity, so an unchanged model costs no cell comparison.
        if let indexed, indexed.model == model { return indexed.index }
        let index = AssociativeIndex(model)
        indexed = (model, index)
        inferenceCache = nil
        alternativeCache = (-1, [:])
        return index
    }

    /// What the current selections leave possible in `index`.
    mutating func inference(_ index: AssociativeIndex) -> AssociativeInference {
        if let cached = inferenceCache, cached.version == version, cached.inference.index === index { return cached.inference }
        let inference = AssociativeInference(index: index, selected: selectedElements(index))
        inferenceCache = (version, inference)
        return inference
    }

    /// Per field number, a bitmap of its selected elements (values no longer in the data are left out).
    func selectedElements(_ index: AssociativeIndex) -> [Int: [Bool]] {
        var selected: [Int: [Bool]] = [:]
        for (name, values) in current.values {
            guard let number = index.fieldNumber[name] else { continue }
            let field = index.fields[number]
            var bitmap = [Bool](repeating: false, count: field.cardinal)
            for value in values { if let element = field.elementOf[value] { bitmap[Int(element)] = true } }
            selected[number] = bitmap
        }
        return selected
    }

    /// Each element's state in `field`: S/L selected (XS/XL when other fields' selections exclude it), A alternative,
    /// O possible, X excluded.
    mutating func states(of field: Int, in index: AssociativeIndex) -> [AssociativeInference.State] {
        let name = index.fields[field].name
        let selected = selectedElements(index)
        guard let chosen = selected[field] else {
            return inference(index).possibleElements(field).map { $0 ? .optional : .excluded }
        }
        if alternativeCache.version != version { alternativeCache = (version, [:]) }
        let possibleWithoutIt: [Bool]
        if let cached = alternativeCache.byField[field] {
            possibleWithoutIt = cached
        } else {
            var others = selected
            others[field] = nil
            possibleWithoutIt = AssociativeInference(index: index, selected: others).possibleElements(field)
            alternativeCache.byField[field] = possibleWithoutIt
        }
        let locked = current.locked.contains(name)
        return chosen.indices.map { element in
            if chosen[element] {
                if locked { return possibleWithoutIt[element] ? .locked : .excludedLocked }
                return possibleWithoutIt[element] ? .selected : .excludedSelected
            }
            return possibleWithoutIt[element] ? .alternative : .excluded
        }
    }
}
