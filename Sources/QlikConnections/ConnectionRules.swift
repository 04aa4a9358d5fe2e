public import Foundation

/// Every rule of the seed page that concerns a connection's definition, in
/// one place: turns a ``ConnectionDraft`` into a valid ``ConnectionDefinition``
/// or reports every problem at once.
public struct ConnectionRules: Sendable {
    public let organization: Organization
    public let runtimeEnvironments: [RuntimeEnvironment]
    /// The operator's allow-list: which hosts outside Qlik Cloud a Base URL may name.
    public let hosts: TenantHostPolicy

    public init(organization: Organization, runtimeEnvironments: [RuntimeEnvironment], hosts: TenantHostPolicy = .qlikCloudOnly) {
        self.organization = organization
        self.runtimeEnvironments = runtimeEnvironments
        self.hosts = hosts
    }

    /// Validates a new connection.
    public func create<Value>(
        _ draft: ConnectionDraft<Value>, id: ConnectionID = ConnectionID(), at now: Date = Date()
    ) throws(ConnectionValidationError) -> ConnectionDefinition<Value> {
        try build(draft, existing: nil, id: id, now: now)
    }

    /// Validates a change to `existing`: fields the draft leaves nil keep
    /// their values, credentials included, so a secret never has to be retyped.
    public func update<Value>(
        _ existing: ConnectionDefinition<Value>, with draft: ConnectionDraft<Value>, at now: Date = Date()
    ) throws(ConnectionValidationError) -> ConnectionDefinition<Value> {
        try build(draft, existing: existing, id: existing.id, now: now)
    }

    private func build<Value>(
        _ draft: ConnectionDraft<Value>, existing: ConnectionDefinition<Value>?, id: ConnectionID, now: Date
    ) throws(ConnectionValidationError) -> ConnectionDefinition<Value> {
        var problems: [FieldProblem] = []
        func attempt<T>(_ body: () throws(ConnectionValidationError) -> T) -> T? {
            do { return try body() } catch { problems += error.problems; return nil }
        }

        let name: ConnectionName? = attempt { () throws(ConnectionValidationError) in
            guard let raw = draft.name ?? existing?.name.value else {
                throw ConnectionValidationError(.name, "Connection Name is required.")
            }
            return try ConnectionName(raw)
        }
        let description: ConnectionDescription?? = attempt { () throws(ConnectionValidationError) in
            guard let raw = draft.description else { return existing?.description }
            return try ConnectionDescription(raw)
        }
        let environment = attempt { () throws(ConnectionValidationError) in try resolveEnvironment(draft, existing) }
        let useSecretVault = draft.useSecretVault ?? existing?.useSecretVault ?? false
        if useSecretVault && organization.secretsManager == nil {
            problems.append(FieldProblem(.useSecretVault,
                "Use Secret Vault needs a secrets manager, and organization '\(organization.name)' has none configured; "
                + "configure one (org set --secrets-manager aws|vault) or leave Use Secret Vault off."))
        }
        let type = attempt { () throws(ConnectionValidationError) in try resolveType(draft, existing) }
        let baseURL = attempt { () throws(ConnectionValidationError) -> TenantURL in
            guard let raw = draft.baseURL ?? existing?.authentication.baseURL.description else {
                throw ConnectionValidationError(.baseURL, "Base URL is required. Expected the form \(TenantURL.expectedForm).")
            }
            return try admittedBaseURL(raw)
        }

        // Stored values follow the tenant they were given for: a Base URL that moves to another origin must not take them along,
        // or whoever may edit the URL could have Test Connection hand them to a host of their choosing.
        let movedFrom: TenantURL? = existing.flatMap { old in
            baseURL.flatMap { $0.sameOrigin(as: old.authentication.baseURL) ? nil : old.authentication.baseURL }
        }
        var credentials: [ConnectionField: Credential<Value>] = [:]
        if let type {
            for field in AuthenticationType.allCases.filter({ $0 != type }).flatMap(\.credentialFields)
            where draft.credential(field) != nil && !type.credentialFields.contains(field) {
                problems.append(FieldProblem(field,
                    "\(field.label) does not belong to \(type.displayName) authentication, which takes "
                    + "Base URL and \(type.credentialFields.map(\.label).joined(separator: " and ")) only."))
            }
            for field in type.credentialFields {
                let kept = existing?.authentication.type == type
                    ? existing?.authentication.credentials.first(where: { $0.field == field })?.credential : nil
                if let credential = attempt({ () throws(ConnectionValidationError) in
                    try resolveCredential(field, draft.credential(field), kept: kept, useSecretVault: useSecretVault,
                                          movedFrom: movedFrom, to: baseURL)
                }) {
                    credentials[field] = credential
                }
            }
            if environment?.kind == .serverless, let field = credentials.first(where: { $0.value == .onAgent })?.key {
                problems.append(FieldProblem(.runtimeEnvironment,
                    "\(field.label) is kept on Secure Agents (credential storage local-agent), so the connection must run "
                    + "on a Secure Agent group, not the serverless environment."))
            }
        }

        guard problems.isEmpty, let name, let description, let environment, let type, let baseURL else {
            throw ConnectionValidationError(problems: problems)
        }
        let authentication: Authentication<Value>
        switch type {
        case .apiKey:
            guard let token = credentials[.accessToken] else { throw ConnectionValidationError(problems: problems) }
            authentication = .apiKey(baseURL: baseURL, accessToken: token)
        case .oauth2:
            guard let id = credentials[.clientID], let secret = credentials[.clientSecret] else {
                throw ConnectionValidationError(problems: problems)
            }
            authentication = .oauth2(baseURL: baseURL, clientID: id, clientSecret: secret)
        }
        return try ConnectionDefinition(
            id: id, organizationID: organization.id, name: name, description: description,
            runtimeEnvironmentID: environment.id, useSecretVault: useSecretVault, authentication: authentication,
            // Strictly later than the version it replaces, so an update can tell it is not stale.
            createdAt: existing?.createdAt ?? now,
            updatedAt: existing.map { max(now, $0.updatedAt.addingTimeInterval(0.001)) } ?? now
        )
    }

    /// A Qlik Cloud tenant URL, or one outside Qlik Cloud that the operator's allow-list admits. A URL refused only
    /// for want of an entry says so and names the operator's command as the remedy; other refusals keep their own reason.
    private func admittedBaseURL(_ raw: String) throws(ConnectionValidationError) -> TenantURL {
        let strictRefusal: ConnectionValidationError
        do throws(ConnectionValidationError) {
            let url = try TenantURL(raw, policy: .qlikCloudOnly)
            do throws(HostRefusal) { try hosts.checkTenant(url) } catch { throw ConnectionValidationError(.baseURL, error.description) }
            return url
        } catch {
            strictRefusal = error
        }
        let custom: TenantURL
        do throws(ConnectionValidationError) {
            custom = try TenantURL(raw, policy: .anyWellFormedHost)
        } catch {
            // Refused under either form: the original reason is the one to fix.
            throw strictRefusal
        }
        do throws(HostRefusal) {
            try hosts.checkTenant(custom)
        } catch {
            // A metadata or link-local address: no entry would admit it, so none is suggested.
            guard error.hint != nil else { throw ConnectionValidationError(.baseURL, error.description) }
            let port = custom.effectivePort
            throw ConnectionValidationError(.baseURL, strictRefusal.description + " Hosts outside Qlik Cloud (a sandbox or test tenant) are admitted "
                + "only by the operator of this service, on its tenant host allow-list, which does not admit this one"
                + " (\(TenantHostPolicy.normalized(custom.host)):\(port)).",
                remedy: .tenantHostAllowList(pattern: "\(TenantHostPolicy.normalized(custom.host)):\(port)"))
        }
        return custom
    }

    private func resolveEnvironment<Value>(
        _ draft: ConnectionDraft<Value>, _ existing: ConnectionDefinition<Value>?
    ) throws(ConnectionValidationError) -> RuntimeEnvironment {
        if let raw = draft.runtimeEnvironment {
            let wanted = try RuntimeEnvironmentName(raw)
            if let match = runtimeEnvironments.first(where: { $0.name.comparisonKey == wanted.comparisonKey }) {
                return match
            }
            let names = runtimeEnvironments.map(\.name.value)
            let near = NearestNames.suggest(wanted.value, among: names)
            let known = names.map { "'\($0)'" }.joined(separator: ", ")
            throw ConnectionValidationError(.runtimeEnvironment,
                "Runtime Environment '\(wanted)' does not exist in organization '\(organization.name)'"
                + (near.isEmpty ? "; " : ". Did you mean \(near.map { "'\($0)'" }.joined(separator: " or "))? Otherwise ")
                + "choose one of \(known), or create a Secure Agent group with runtime-env create.")
        }
        if let existing, let match = runtimeEnvironments.first(where: { $0.id == existing.runtimeEnvironmentID }) {
            return match
        }
        throw ConnectionValidationError(.runtimeEnvironment,
            "Runtime Environment is required: a Secure Agent group or '\(RuntimeEnvironmentName.serverless)'.")
    }

    private func resolveType<Value>(
        _ draft: ConnectionDraft<Value>, _ existing: ConnectionDefinition<Value>?
    ) throws(ConnectionValidationError) -> AuthenticationType {
        guard let raw = draft.authenticationType else {
            if let existing { return existing.authentication.type }
            throw ConnectionValidationError(.authenticationType, "Authentication type is required: api-key or oauth2.")
        }
        guard let type = AuthenticationType(rawValue: raw.lowercased()) else {
            throw ConnectionValidationError(.authenticationType, "Authentication type '\(raw)' is unknown; expected api-key or oauth2.")
        }
        return type
    }

    /// `movedFrom` is the old Base URL when the new one names another origin; `to` the new one.
    private func resolveCredential<Value>(
        _ field: ConnectionField, _ input: CredentialInput<Value>?, kept: Credential<Value>?, useSecretVault: Bool,
        movedFrom: TenantURL?, to newURL: TenantURL?
    ) throws(ConnectionValidationError) -> Credential<Value> {
        switch input {
        case .reference(let text)?:
            guard useSecretVault else {
                throw ConnectionValidationError(field, "\(field.label) is given as a secret reference, but Use Secret Vault is off; turn it on or give the value.")
            }
            guard let manager = organization.secretsManager else {
                throw ConnectionValidationError(field, "\(field.label) is a secret reference, but the organization has no secrets manager.")
            }
            let reference = try SecretReference(text, for: manager.kind, field: field)
            if case .vault(let mount, _, _) = reference, case .vault(_, let configured) = manager.location, mount != configured {
                throw ConnectionValidationError(field,
                    "\(field.label) secret reference names the Vault mount '\(mount)', but the organization's Vault uses '\(configured)'. "
                    + "Expected \(configured)/data/<path>:<key>.")
            }
            return .secretReference(reference)
        case .value(let value)?:
            guard organization.credentialStorage == .repository else {
                throw ConnectionValidationError(field,
                    "Organization '\(organization.name)' keeps credentials on its Secure Agents (credential storage local-agent), "
                    + "so \(field.label) is not accepted here: supply it to the agents of the runtime environment"
                    + (useSecretVault ? ", or give a secret reference." : "."))
            }
            return .value(value)
        case nil:
            if let kept {
                if kept.reference != nil && !useSecretVault {
                    throw ConnectionValidationError(field, "\(field.label) is a secret reference, and Use Secret Vault is being turned off; give its value.")
                }
                // Refused rather than dropped: an API-key or OAuth connection without its credential is a state this model has no
                // place for (every use needs it), so the request must give the value again. A secret reference is not a secret
                // (only a name the agent resolves), and a credential on agents is not stored here, so those are kept.
                if case .value = kept, let movedFrom, let newURL {
                    throw ConnectionValidationError(field,
                        "Base URL moves to another host (\(movedFrom) to \(newURL)): give the \(field.label) again; "
                        + "stored credentials are not sent to a new host.")
                }
                return kept
            }
            if organization.credentialStorage == .localAgent { return .onAgent }
            throw ConnectionValidationError(field, "\(field.label) is required for this authentication type.")
        }
    }
}
