public import QlikConnections

extension RepositoryError {
    /// No `kind` named `name`, offering the existing names nearest to it, or those there are.
    public static func notFound(kind: String, name: String, organization: String?, among existing: [String]) -> RepositoryError {
        .notFound(kind: kind, name: name, organization: organization, hint: NearestNames.hint(name, among: existing.sorted { $0.lowercased() < $1.lowercased() }))
    }
}

extension Array where Element == RuntimeEnvironment {
    /// The runtime environment named `name` (any case); not found, the error offers the nearest names.
    public func named(_ name: String, organization: String?) throws -> RuntimeEnvironment {
        let key = try RuntimeEnvironmentName(name).comparisonKey
        guard let found = first(where: { $0.name.comparisonKey == key }) else {
            throw RepositoryError.notFound(kind: "runtime environment", name: name, organization: organization, among: map(\.name.value))
        }
        return found
    }
}
