/// The name of an organization, the tenant of this service.
public struct OrganizationName: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(ConnectionValidationError) {
        switch NameRules.validate(raw) {
        case .success(let name): value = name
        case .failure(let problem):
            throw ConnectionValidationError(.organization, problem.message(for: "Organization name"))
        }
    }

    public var comparisonKey: String { NameRules.comparisonKey(value) }
    public var description: String { value }
}
