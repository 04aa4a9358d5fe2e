import QlikConnections

/// Names that look the same as another (UTS #39 skeleton, case folded, runs of spaces as one) for the kinds whose
/// look-alike rule is checked against the names themselves: organizations and runtime environments are few, so their
/// names are compared when one is created or renamed rather than kept under a stored key as connections' are.
enum LookalikeNames {
    /// The first of `existing` that looks like `name` without being the same name (a same name is a duplicate, said as such).
    static func clash(of name: String, among existing: [String]) -> String? {
        let key = nameLookalikeKey(name), same = nameComparisonKey(name)
        return existing.first { nameLookalikeKey($0) == key && nameComparisonKey($0) != same }
    }

    /// Throws ``RepositoryError/lookalikeName(kind:existing:name:)`` when `name` looks like one of `existing`.
    static func refuse(_ name: String, kind: String, among existing: [String]) throws(RepositoryError) {
        if let clash = clash(of: name, among: existing) { throw .lookalikeName(kind: kind, existing: clash, name: name) }
    }
}
