/// Values kept by id, at most `limit` of them: keeping one more drops the oldest, so what one engine
/// session keeps for later (temporary selection states, temporary bookmarks) cannot grow without bound.
struct EvictingStore<Value> {
    let limit: Int
    private var values: [String: Value] = [:]
    /// Ids oldest first.
    private var order: [String] = []

    init(limit: Int) {
        precondition(limit > 0, "an evicting store keeps at least one value")
        self.limit = limit
    }

    var count: Int { values.count }

    subscript(id: String) -> Value? { values[id] }

    /// Keeps `value` under `id` (the newest), dropping the oldest values beyond the limit.
    mutating func keep(_ value: Value, as id: String) {
        if values.updateValue(value, forKey: id) != nil { order.removeAll { $0 == id } }
        order.append(id)
        while order.count > limit { values[order.removeFirst()] = nil }
    }

    mutating func remove(_ id: String) {
        guard values.removeValue(forKey: id) != nil else { return }
        order.removeAll { $0 == id }
    }
}
