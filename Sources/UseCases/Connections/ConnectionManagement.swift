public import Foundation
public import QlikConnections
public import Repository
public import Secrets

/// A connection with what showing it needs: its organization's runtime environments (for their names) and its last test.
public struct ShownConnection: Sendable {
    public let connection: StoredConnection
    public let environments: [RuntimeEnvironment]
    public let lastTest: ConnectionTestRecord?
}

/// What the connection use cases read and write: the organization, its runtime environments, the operator's allow-list,
/// its connections with their last tests, and idempotency keys.
public typealias ConnectionRecords = OrganizationStore & TenantHostStore & RuntimeEnvironmentStore & ConnectionStore & ConnectionTestStore
    & IdempotencyStore

/// Creating, changing, deleting, reading and listing an organization's
/// connections, the one way the API, the console and the command line do it.
/// A new connection is validated inside the transaction that stores it, so no
/// change to the organization can come between the check and the write; new
/// secret values are sealed with ``SealingKeys``, read again once when another
/// process rotated the key meanwhile.
public struct ConnectionManagement: Sendable {
    let repository: any ConnectionRecords
    let keys: SealingKeys

    /// `keys`: what new secret values are sealed with (none loaded: a draft bringing one is refused with ``SealingKeys/noKeyring``).
    public init(repository: any ConnectionRecords, keys: SealingKeys) {
        self.repository = repository
        self.keys = keys
    }

    /// Validates `draft` against the organization as committed, seals its new values and stores it, all in one transaction.
    public func create(_ draft: ConnectionDraft<CredentialValue>, in organization: OrganizationID, by actor: AuditActor) async throws
        -> (connection: StoredConnection, environments: [RuntimeEnvironment]) {
        try await keys.withCurrent { keyring in
            try await repository.createConnection(in: organization, by: actor,
                                                  building: Self.building(draft, sealingWith: keyring, hosts: try await repository.tenantHostPolicy()))
        }
    }

    /// The same, once per `claim`: the connection and the answer `answering` gives for it are committed together, so a
    /// create that committed is answered again to a retry, even after a crash; a key used before answers its first answer.
    public func create(_ draft: ConnectionDraft<CredentialValue>, in organization: OrganizationID, by actor: AuditActor, once claim: IdempotencyClaim,
                       answering: @escaping @Sendable (StoredConnection, [RuntimeEnvironment]) throws -> (status: Int, body: Data)) async throws
        -> IdempotentCreation {
        try await keys.withCurrent { keyring in
            try await repository.createConnection(in: organization, by: actor, once: claim,
                                                  building: Self.building(draft, sealingWith: keyring, hosts: try await repository.tenantHostPolicy()),
                                                  answering: answering)
        }
    }

    /// Applies `draft` to the connection named `name`: fields and secrets it leaves out keep their stored values. The write
    /// fails with ``RepositoryError/changedMeanwhile`` when someone changed the connection since it was read.
    public func update(named name: String, with draft: ConnectionDraft<CredentialValue>, in organization: OrganizationID, by actor: AuditActor)
        async throws -> (connection: StoredConnection, environments: [RuntimeEnvironment]) {
        try await keys.withCurrent { keyring in
            let existing = try await repository.connection(named: name, in: organization)
            let rules = try await rules(for: organization)
            let validated = try rules.update(existing.mapCredentialValues { _, sealed in CredentialValue.kept(sealed) }, with: draft)
            let connection = try validated.sealed(with: validated.hasNewValues ? try keys.require(keyring) : nil)
            try await repository.updateConnection(connection, replacing: existing, by: actor)
            return (connection, rules.runtimeEnvironments)
        }
    }

    /// Deletes the connection named `name` with its stored credentials; answers what was deleted.
    public func delete(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws
        -> (connection: StoredConnection, environments: [RuntimeEnvironment]) {
        let deleted = try await repository.deleteConnection(named: name, in: organization, by: actor)
        return (deleted, try await repository.runtimeEnvironments(of: organization))
    }

    /// The connection named `name` (any case), with its last test.
    public func connection(named name: String, in organization: OrganizationID) async throws -> ShownConnection {
        let connection = try await repository.connection(named: name, in: organization)
        let environments = try await repository.runtimeEnvironments(of: organization)
        return ShownConnection(connection: connection, environments: environments, lastTest: try await repository.lastTest(of: connection.id))
    }

    /// Every connection of the organization that `filter` lets through, by name, with the organization's runtime environments.
    public func list(in organization: OrganizationID, matching filter: ConnectionFilter) async throws
        -> (connections: [StoredConnection], environments: [RuntimeEnvironment]) {
        let environments = try await repository.runtimeEnvironments(of: organization)
        return (try await repository.connections(of: organization, matching: filter), environments)
    }

    /// Whether `draft`, checked against the organization as it stands now, brings secret values to seal; its problems are thrown
    /// here. For a caller that loads master keys only when they are needed (the command line may generate the key file): the
    /// create checks again in its own transaction.
    public func needsKeys(creating draft: ConnectionDraft<CredentialValue>, in organization: OrganizationID) async throws -> Bool {
        try await rules(for: organization).create(draft).hasNewValues
    }

    /// The same for a change of the connection named `name`.
    public func needsKeys(updating name: String, with draft: ConnectionDraft<CredentialValue>, in organization: OrganizationID) async throws -> Bool {
        let existing = try await repository.connection(named: name, in: organization)
        return try await rules(for: organization).update(existing.mapCredentialValues { _, sealed in CredentialValue.kept(sealed) }, with: draft).hasNewValues
    }

    /// The rules a connection of the organization is checked against, as committed now.
    public func rules(for organization: OrganizationID) async throws -> ConnectionRules {
        ConnectionRules(organization: try await repository.organization(organization),
                        runtimeEnvironments: try await repository.runtimeEnvironments(of: organization), hosts: try await repository.tenantHostPolicy())
    }

    /// Builds the new connection from `draft` against the organization and its environments the transaction reads;
    /// `keyring` seals its new values (nil: none loaded); `hosts` is the operator's allow-list.
    static func building(_ draft: ConnectionDraft<CredentialValue>, sealingWith keyring: Keyring?, hosts: TenantHostPolicy)
        -> @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection {
        { organization, environments in
            let validated = try ConnectionRules(organization: organization, runtimeEnvironments: environments, hosts: hosts).create(draft)
            guard validated.hasNewValues else { return try validated.sealed(with: nil) }
            guard let keyring else { throw SealingKeys.noKeyring }
            return try validated.sealed(with: keyring)
        }
    }
}
