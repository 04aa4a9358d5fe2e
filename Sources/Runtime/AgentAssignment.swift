public import Foundation
import QlikCloudAPI
public import QlikConnections
public import Repository
public import Secrets

/// A task as the service hands it to a Secure Agent over HTTPS: what to
/// run and the connection's credentials as far as the service holds them:
/// sealed values opened (kept in the agent's memory only), secret
/// references with the organization's secrets manager for the agent to
/// resolve, or why the agent cannot have them.
public struct AgentAssignment: Codable, Sendable {
    public struct Connection: Codable, Sendable {
        public let baseURL: String
        public let authenticationType: String
        /// Values by field (`accessToken`, `clientID`, `clientSecret`).
        public let values: [String: String]
        /// References by field, resolved by the agent from `secretsManager`.
        public let references: [String: String]
        /// Fields kept on the agents (the organization's credential storage is "local agent").
        public let local: [String]
        public let secretsManager: SecretReferenceResolver.Manager?
        /// Why the agent cannot have the credentials.
        public let unavailable: String?
        /// The entries of the operator's tenant host allow-list that admit the Base URL's host and port when the task was handed out
        /// (the manager carries those that admit its address): what the tenant's host is checked against right before each request.
        /// Only these, so an agent learns nothing of the hosts listed for other organizations. Nil from a service that predates it:
        /// Qlik Cloud hosts only.
        public let allowedHosts: [String]?
    }

    public let taskID: String
    public let organizationID: String
    public let runtimeEnvironmentID: String
    public let kind: String
    public let payload: String
    public let attempts: Int
    public let maxAttempts: Int
    public let requestedBy: String
    public let connectionID: String?
    public let connectionName: String?
    public let connection: Connection?
    /// How long the lease runs; the agent renews it well before.
    public let leaseSeconds: Double
    /// This claim's lease token, sent back in the `Lease-Token` header of each renewal, log and outcome: another claim of the
    /// same task (by another worker of this agent, after this one's lease ran out) has another. Nil from a service that predates it.
    public let leaseToken: String?

    /// The assignment for a task this agent just claimed: its connection read and its sealed values opened here.
    public static func make(_ record: TaskRecord, repository: any ConnectorRepository, keyring: LiveKeyring?, lease: TimeInterval) async throws -> AgentAssignment {
        AgentAssignment(record, connection: try await connection(of: record, repository: repository, keyring: TaskConnections.requiring(keyring)), lease: lease)
    }

    init(_ record: TaskRecord, connection: Connection?, lease: TimeInterval) {
        taskID = record.id.description
        organizationID = record.organizationID.description
        runtimeEnvironmentID = record.runtimeEnvironmentID.description
        kind = record.kind.rawValue
        payload = String(decoding: record.payload, as: UTF8.self)
        attempts = record.attempts
        maxAttempts = record.maxAttempts
        requestedBy = record.requestedBy
        connectionID = record.connectionID?.description
        connectionName = record.connectionName
        self.connection = connection
        leaseSeconds = lease
        leaseToken = record.leaseToken
    }

    /// The task's connection as the service hands it out: `keyring` is asked for only when a sealed value is opened,
    /// for one holding the key id the value names.
    static func connection(of record: TaskRecord, repository: any ConnectorRepository,
                           keyring: (String) async throws -> Keyring) async throws -> Connection? {
        func unavailable(_ reason: String) -> Connection {
            Connection(baseURL: "", authenticationType: "", values: [:], references: [:], local: [], secretsManager: nil, unavailable: reason,
                       allowedHosts: nil)
        }
        let stored: StoredConnection
        switch try await TaskConnections.load(record, in: repository) {
        case nil: return nil
        case .failure(let gone)?: return unavailable(gone.description)
        case .success(let found)?: stored = found
        }
        let name = stored.name.value
        // Read at each use, so a host the operator takes off the list stops working for existing connections at once.
        let listed = try await repository.tenantHostPolicy()
        let baseURL = stored.authentication.baseURL
        let hosts = listed.restricted(toHost: baseURL.host, port: baseURL.effectivePort).patterns.map(\.description)
        var values: [String: String] = [:], references: [String: String] = [:], local: [String] = []
        // Loaded only when a sealed value is opened, and again only for a value under a key it lacks.
        var loaded: Keyring?
        func open(_ sealed: SealedSecret, for slot: SealedSlot) async throws -> String {
            let ring: Keyring
            if let loaded, loaded.holds(sealed.keyID) { ring = loaded } else { ring = try await keyring(sealed.keyID); loaded = ring }
            return try ring.open(sealed, for: slot).reveal()
        }
        var manager: SecretReferenceResolver.Manager?
        do {
            for (field, credential) in stored.authentication.credentials {
                switch credential {
                case .value(let sealed): values[field.rawValue] = try await open(sealed, for: .connection(stored.id, field))
                case .secretReference(let reference): references[field.rawValue] = reference.description
                case .onAgent: local.append(field.rawValue)
                }
            }
            guard !references.isEmpty else {
                return Connection(baseURL: stored.authentication.baseURL.description, authenticationType: stored.authentication.type.rawValue,
                                  values: values, references: references, local: local, secretsManager: nil, unavailable: nil, allowedHosts: hosts)
            }
            // The manager's own credentials, when the organization keeps them, travel with the task like the connection's values.
            var kept: [SecretsManagerField: String] = [:]
            for (field, sealed) in try await repository.secretsManagerCredentials(of: record.organizationID) {
                kept[field] = try await open(sealed, for: .secretsManager(record.organizationID, field))
            }
            switch try await repository.organization(record.organizationID).secretsManager?.location {
            case .aws(let region, let endpoint)?:
                let credentials = kept[.awsAccessKeyID].flatMap { id in kept[.awsSecretAccessKey].map { SecretReferenceResolver.Credentials(aws: id, secretAccessKey: $0) } }
                manager = SecretReferenceResolver.Manager(region: region, endpoint: endpoint, credentials: credentials).allowing(listed)
            case .vault(let address, _)?:
                let credentials = kept[.vaultRoleID].flatMap { id in kept[.vaultSecretID].map { SecretReferenceResolver.Credentials(vaultRoleID: id, secretID: $0) } }
                manager = SecretReferenceResolver.Manager(vaultAddress: address, credentials: credentials).allowing(listed)
            case nil: return unavailable("Connection '\(name)' uses the Secret Vault, but its organization has no secrets manager any more.")
            }
        } catch let missing as TaskCredentialsUnavailable {
            return unavailable("\(missing.description) (connection '\(name)')")
        } catch let sealing as SecretsError {
            // The task fails saying why, rather than its worker giving it up and the queue retrying it until it runs out of attempts.
            // In the words for the organization's users: the service logged where its key was looked for (ConnectorService).
            return unavailable("\(sealing.userFacingDescription) (connection '\(name)')")
        }
        return Connection(baseURL: stored.authentication.baseURL.description, authenticationType: stored.authentication.type.rawValue,
                          values: values, references: references, local: local, secretsManager: manager, unavailable: nil, allowedHosts: hosts)
    }

    /// The task as the agent's worker runs it, references resolved with `resolver`, local credentials read from `store`.
    public func claimed(resolver: SecretReferenceResolver, store: AgentCredentialStore) async throws -> ClaimedTask {
        guard let task = UUID(uuidString: taskID), let organization = UUID(uuidString: organizationID),
              let environment = UUID(uuidString: runtimeEnvironmentID), let kind = TaskKind(rawValue: kind) else {
            throw TaskCredentialsUnavailable("The service sent a task this agent cannot read (kind '\(kind)'); upgrade the agent.")
        }
        guard let leaseToken else {
            throw TaskCredentialsUnavailable("The service sent task \(taskID) without a lease token: it predates per-claim leases, which this agent "
                + "needs to renew, log and finish; upgrade the service to this agent's version.")
        }
        let record = TaskRecord(id: TaskID(task), organizationID: OrganizationID(organization), runtimeEnvironmentID: RuntimeEnvironmentID(environment),
                                connectionID: connectionID.flatMap(UUID.init(uuidString:)).map(ConnectionID.init), connectionName: connectionName,
                                kind: kind, payload: Data(payload.utf8), state: .running, attempts: attempts, maxAttempts: maxAttempts, leaseOwner: nil,
                                leaseToken: leaseToken, leaseExpiresAt: nil, requestedBy: requestedBy, createdAt: Date(), startedAt: Date(), finishedAt: nil, result: nil, error: nil)
        let lease = TaskLease(task: record.id, token: leaseToken)
        guard let connection else { return ClaimedTask(record: record, lease: lease, connection: nil) }
        return ClaimedTask(record: record, lease: lease, connection: await Self.resolve(connection, named: connectionName, with: resolver, store: store))
    }

    /// `store` is the agent's own credential store; nil where there is none (inside the service).
    static func resolve(_ connection: Connection, named name: String?, with resolver: SecretReferenceResolver,
                        store: AgentCredentialStore?) async -> Result<TaskConnection, TaskCredentialsUnavailable> {
        if let unavailable = connection.unavailable { return .failure(TaskCredentialsUnavailable(unavailable)) }
        do {
            let baseURL = try TenantURL(connection.baseURL, policy: .anyWellFormedHost)
            let hosts: TenantHostPolicy
            do { hosts = try TenantHostPolicy(parsing: connection.allowedHosts ?? []) } catch {
                return .failure(TaskCredentialsUnavailable("The service sent a tenant host allow-list this agent cannot read: \(error)"))
            }
            var kept: [ConnectionField: Secret] = [:]
            if !connection.local.isEmpty {
                let connectionName = try ConnectionName(name ?? "")
                guard let store else {
                    return .failure(TaskCredentialsUnavailable("Connection '\(connectionName)' keeps its credentials on the Secure Agents of its runtime environment; "
                        + "it runs only there."))
                }
                guard let found = try store.credentials(connection: connectionName) else {
                    return .failure(TaskCredentialsUnavailable("This agent has no credentials for connection '\(connectionName)', which keeps them on the agents: "
                        + "set them on this agent's machine with 'qlik-connector agent credentials set \"\(connectionName)\" ...'."))
                }
                kept = found
            }
            func secret(_ field: ConnectionField) async throws -> Secret {
                if let value = connection.values[field.rawValue], let secret = Secret(value) { return secret }
                if connection.local.contains(field.rawValue) {
                    guard let secret = kept[field] else { throw TaskCredentialsUnavailable("This agent's credentials for the connection lack its \(field.label).") }
                    return secret
                }
                guard let text = connection.references[field.rawValue], let manager = connection.secretsManager else {
                    throw TaskCredentialsUnavailable("The service sent no \(field.rawValue) for this connection.")
                }
                let kind: SecretsManagerKind = manager.vaultAddress == nil ? .awsSecretsManager : .hashiCorpVault
                return try await resolver.resolve(try SecretReference(text, for: kind, field: field), in: manager)
            }
            if connection.authenticationType == AuthenticationType.apiKey.rawValue {
                return .success(TaskConnection(baseURL: baseURL, authentication: .apiKey(try await secret(.accessToken)), hosts: hosts))
            }
            return .success(TaskConnection(baseURL: baseURL, authentication: .oauth2(clientID: try await secret(.clientID), clientSecret: try await secret(.clientSecret)),
                                           hosts: hosts))
        } catch let unavailable as TaskCredentialsUnavailable {
            return .failure(unavailable)
        } catch {
            return .failure(TaskCredentialsUnavailable("\(error)"))
        }
    }
}
