/// One field that an update changed, as the audit trail records it. A
/// credential's values never appear: only that it was replaced, or moved.
public struct FieldChange: Hashable, Sendable, Codable {
    public let field: ConnectionField
    public let old: String?
    public let new: String?

    public init(field: ConnectionField, old: String?, new: String?) {
        self.field = field
        self.old = old
        self.new = new
    }
}

extension ConnectionDefinition {
    /// What differs between `old` and this definition, credentials masked.
    public func changes(from old: ConnectionDefinition<Value>) -> [FieldChange] {
        var changes: [FieldChange] = []
        func note(_ field: ConnectionField, _ before: String?, _ after: String?) {
            if before != after { changes.append(FieldChange(field: field, old: before, new: after)) }
        }
        note(.name, old.name.value, name.value)
        note(.description, old.description?.value, description?.value)
        note(.runtimeEnvironment, old.runtimeEnvironmentID.description, runtimeEnvironmentID.description)
        note(.useSecretVault, String(old.useSecretVault), String(useSecretVault))
        note(.authenticationType, old.authentication.type.rawValue, authentication.type.rawValue)
        note(.baseURL, old.authentication.baseURL.description, authentication.baseURL.description)
        let before = Dictionary(uniqueKeysWithValues: old.authentication.credentials.map { ($0.field, $0.credential) })
        let after = Dictionary(uniqueKeysWithValues: authentication.credentials.map { ($0.field, $0.credential) })
        let hostMoved = !authentication.baseURL.sameOrigin(as: old.authentication.baseURL)
        for field in [ConnectionField.accessToken, .clientID, .clientSecret] where before[field] != after[field] {
            var new = after[field]?.auditText
            if case .value? = before[field], case .value? = after[field] { new = "new sealed value" }
            // The rules refuse to keep a stored value across a move of host, so the trail says why it was replaced.
            if case .value? = before[field], hostMoved, let given = new {
                new = given + " (stored value dropped: the Base URL moved to another host)"
            }
            changes.append(FieldChange(field: field, old: before[field]?.auditText, new: new))
        }
        return changes
    }
}

extension Credential {
    /// A credential in the audit trail: never its value, sealed or not.
    public var auditText: String {
        switch self {
        case .value: "sealed value"
        case .secretReference(let reference): "reference \(reference)"
        case .onAgent: "on agents"
        }
    }
}
