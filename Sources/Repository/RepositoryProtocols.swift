public import Foundation
public import QlikConnections

/// A connection as the repository keeps it: credentials sealed, referenced,
/// or left to the agents.
public typealias StoredConnection = ConnectionDefinition<SealedSecret>

/// Who made a change, as the audit trail records it.
public struct AuditActor: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    public init(_ name: String) { self.name = name }
    public var description: String { name }
}

public protocol OrganizationStore: Sendable {
    /// Creates the organization together with its serverless runtime environment.
    func createOrganization(_ organization: Organization, by actor: AuditActor) async throws
    func organizations() async throws -> [Organization]
    func organization(named name: String) async throws -> Organization
    func organization(_ id: OrganizationID) async throws -> Organization
    /// Saves the settings, and in the same transaction the secrets manager's own credentials: `managerCredentials`
    /// replaces them (empty: none kept); nil keeps them, unless the manager moved (another kind, region, endpoint,
    /// address or mount), which drops them: they were given for the old one.
    func updateOrganization(_ organization: Organization, managerCredentials: [SecretsManagerField: SealedSecret]?, by actor: AuditActor) async throws
}

extension OrganizationStore {
    public func updateOrganization(_ organization: Organization, by actor: AuditActor) async throws {
        try await updateOrganization(organization, managerCredentials: nil, by: actor)
    }
}

/// The operator's tenant host allow-list, for the whole service: written only from the command line that holds the database.
public protocol TenantHostStore: Sendable {
    /// Every stored entry, in the order they were added, those this version cannot read among them (``TenantHostEntry``);
    /// ``tenantHostPatterns(loggingTo:)`` gives those that admit hosts.
    func tenantHostEntries() async throws -> [TenantHostEntry]
    /// Adds an entry; false when the list has it already.
    func allowTenantHost(_ pattern: HostPattern, by actor: AuditActor) async throws -> Bool
    /// Removes the entry stored as `entry` (``TenantHostEntry/text``), one this version reads or not; false when the list does not have it.
    func removeTenantHost(entry: String, by actor: AuditActor) async throws -> Bool
}

extension TenantHostStore {
    /// The list as a policy, read now: what a check right before a request uses.
    public func tenantHostPolicy() async throws -> TenantHostPolicy { TenantHostPolicy(patterns: try await tenantHostPatterns()) }
}

public protocol RuntimeEnvironmentStore: Sendable {
    func createRuntimeEnvironment(_ environment: RuntimeEnvironment, by actor: AuditActor) async throws
    func runtimeEnvironments(of organization: OrganizationID) async throws -> [RuntimeEnvironment]
    /// Refuses to delete the serverless environment, or one that connections use.
    func deleteRuntimeEnvironment(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> RuntimeEnvironment
}

/// Narrows a connection list.
public struct ConnectionFilter: Sendable {
    public var nameContains: String?
    public var authenticationType: AuthenticationType?
    public var runtimeEnvironmentID: RuntimeEnvironmentID?

    public init(nameContains: String? = nil, authenticationType: AuthenticationType? = nil, runtimeEnvironmentID: RuntimeEnvironmentID? = nil) {
        self.nameContains = nameContains
        self.authenticationType = authenticationType
        self.runtimeEnvironmentID = runtimeEnvironmentID
    }
}

/// One page of a connection list.
public struct ConnectionPage: Sendable {
    public let items: [StoredConnection]
    /// How many connections match the filter, on every page.
    public let total: Int

    public init(items: [StoredConnection], total: Int) {
        self.items = items
        self.total = total
    }
}

/// Which version of a connection a list shows: its id and when it last changed
/// (strictly later on every change), so a reader can keep what it built from it.
public struct ConnectionVersion: Hashable, Sendable {
    public let id: ConnectionID
    public let updatedAt: Date
    public init(id: ConnectionID, updatedAt: Date) {
        self.id = id
        self.updatedAt = updatedAt
    }
}

/// A list page as versions, with the connections the reader did not know yet and the page's last tests.
public struct ConnectionVersionPage: Sendable {
    public let versions: [ConnectionVersion]
    public let total: Int
    public let unknown: [StoredConnection]
    public let lastTests: [ConnectionID: ConnectionTestRecord]

    public init(versions: [ConnectionVersion], total: Int, unknown: [StoredConnection], lastTests: [ConnectionID: ConnectionTestRecord]) {
        self.versions = versions
        self.total = total
        self.unknown = unknown
        self.lastTests = lastTests
    }
}

public protocol ConnectionStore: Sendable {
    /// Fails with ``RepositoryError/duplicateName`` when the organization has
    /// a connection of that name in any case: the database decides, so two
    /// concurrent creates cannot both win.
    func createConnection(_ connection: StoredConnection, by actor: AuditActor) async throws
    /// Builds the connection from the organization and its runtime environments as committed now,
    /// and stores it, in one transaction: the checks and the write cannot be separated by a change.
    func createConnection(in organization: OrganizationID, by actor: AuditActor,
                          building build: @escaping @Sendable (Organization, [RuntimeEnvironment]) throws -> StoredConnection)
        async throws -> (StoredConnection, [RuntimeEnvironment])
    func connections(of organization: OrganizationID, matching filter: ConnectionFilter) async throws -> [StoredConnection]
    /// At most `limit` connections by name after `cursor` (a name), and how many match in all.
    func connectionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int) async throws -> ConnectionPage
    /// The same page as versions only, the connections not in `known` read in full, and the page's last tests: one read.
    func connectionVersionPage(of organization: OrganizationID, matching filter: ConnectionFilter, after cursor: String?, limit: Int,
                               known: @escaping @Sendable (ConnectionVersion) -> Bool) async throws -> ConnectionVersionPage
    func connection(named name: String, in organization: OrganizationID) async throws -> StoredConnection
    /// Replaces `previous` with `connection`, failing if someone changed it meanwhile.
    func updateConnection(_ connection: StoredConnection, replacing previous: StoredConnection, by actor: AuditActor) async throws
    func deleteConnection(named name: String, in organization: OrganizationID, by actor: AuditActor) async throws -> StoredConnection
}

/// The secrets manager's own credentials (an AWS access key, Vault's AppRole), sealed, when the organization
/// keeps them (set with ``OrganizationStore/updateOrganization(_:managerCredentials:by:)``).
public protocol SecretsManagerCredentialStore: Sendable {
    func secretsManagerCredentials(of organization: OrganizationID) async throws -> [SecretsManagerField: SealedSecret]
}

public protocol MasterKeyStore: Sendable {
    /// The id of the key that seals this repository's credentials; registers
    /// `candidate` as that key when the repository has none yet.
    /// The id of the key that seals this repository's credentials, if any is registered.
    func activeMasterKeyID() async throws -> String?
    func activeMasterKeyID(registeringIfNone candidate: String) async throws -> String
    /// Re-seals every sealed credential with `reseal` and makes `newKeyID`
    /// the active key, all in one transaction: on any error nothing changes.
    /// Returns how many credentials were re-sealed.
    func rotateMasterKey(
        to newKeyID: String, by actor: AuditActor,
        reseal: @escaping @Sendable (SealedSlot, SealedSecret) throws -> SealedSecret
    ) async throws -> Int
}

/// The last Test Connection of a connection: its verdict, a one-line
/// summary and the step-by-step report (JSON, no secrets), kept so
/// `connection show` and the console can show it.
public struct ConnectionTestRecord: Sendable, Equatable {
    public let connectionID: ConnectionID
    public let testedAt: Date
    public let succeeded: Bool
    public let summary: String
    public let report: Data

    public init(connectionID: ConnectionID, testedAt: Date, succeeded: Bool, summary: String, report: Data) {
        self.connectionID = connectionID
        self.testedAt = testedAt
        self.succeeded = succeeded
        self.summary = summary
        self.report = report
    }
}

public protocol ConnectionTestStore: Sendable {
    /// Keeps `record` as the connection's last test (replacing the previous one) and audits it.
    func recordTest(_ record: ConnectionTestRecord, of connection: StoredConnection, by actor: AuditActor) async throws
    func lastTest(of connection: ConnectionID) async throws -> ConnectionTestRecord?
    /// These connections' last verdicts (reports left out), for lists.
    func lastTests(of connections: [ConnectionID]) async throws -> [ConnectionID: ConnectionTestRecord]
}

public protocol AuditTrail: Sendable {
    func auditEvents(of organization: OrganizationID?, limit: Int) async throws -> [AuditEvent]
}

public protocol UserStore: Sendable {
    /// Fails with ``RepositoryError/duplicateName`` when the e-mail address is taken in the user's organization
    /// (any case). Addresses are unique per organization: another organization's users do not count.
    func createUser(_ user: User, passwordHash: String?, by actor: AuditActor) async throws
    func users(of organization: OrganizationID) async throws -> [User]
    func user(_ id: UserID, in organization: OrganizationID) async throws -> User
    /// The organization's user with this address (any case), if any.
    func user(email: String, in organization: OrganizationID) async throws -> User?
    /// The user with this address (any case) in the organization with this name (compared as organization names are),
    /// with the password hash, if there is one; nil for a name that is no organization's or not a valid name. Sign-in
    /// looks in the organization it names only, so no other organization's accounts change its answer.
    func userForSignIn(email: String, organization: String) async throws -> (user: User, passwordHash: String?)?
    /// A new password (`passwordHash` not nil) or a disable also signs the user out everywhere, in the
    /// same transaction: the credentials epoch moves on, every personal API token is revoked and every
    /// console session ends; enabling the user again revives none of them.
    func updateUser(_ user: User, passwordHash: String?, by actor: AuditActor) async throws
    func deleteUser(_ id: UserID, in organization: OrganizationID, by actor: AuditActor) async throws -> User
    /// How many enabled administrators the organization has.
    func administratorCount(of organization: OrganizationID) async throws -> Int
}

public protocol AccessTokenStore: Sendable {
    /// Keeps the token with the SHA-256 of its secret (never the secret). `credentialsEpoch` is the
    /// user's epoch as the issuer last saw it (``User/credentialsEpoch``): a token issued under an old one never works.
    func createAccessToken(_ token: AccessToken, secretHash: Data, credentialsEpoch: Int64, by actor: AuditActor) async throws
    func accessTokens(of user: UserID) async throws -> [AccessToken]
    /// The user and token a secret's hash belongs to, when usable at `now` (not revoked or expired, user
    /// enabled, issued under the user's current credentials epoch); notes the use.
    func principal(forSecretHash hash: Data, at now: Date) async throws -> (User, AccessToken)?
    func revokeAccessToken(_ id: AccessTokenID, of user: UserID, at now: Date, by actor: AuditActor) async throws -> AccessToken
}

/// A signed-in console session: only the SHA-256 of its cookie is stored.
public protocol ConsoleSessionStore: Sendable {
    /// A session for `user` as the password check saw them: it works only while their credentials epoch stays that.
    func createSession(secretHash: Data, user: User, csrfToken: String, expiresAt: Date) async throws
    /// The user and CSRF token of a live session, if the cookie's hash names one that has not expired,
    /// of an enabled user whose credentials epoch is still the session's.
    func session(secretHash: Data, at now: Date) async throws -> (user: User, csrfToken: String)?
    func deleteSession(secretHash: Data) async throws
}

/// The task queue: tasks wait per runtime environment and are leased to one
/// claim at a time. A lease that runs out (its worker died) puts the task
/// back, at most `maxAttempts` runs in all; only the lease holder can renew
/// or finish it, so a task finishes exactly once. The holder is one claim, not
/// one owner: each claim gets a new lease token (in the record it answers), and
/// every write names both the owner and that claim's ``TaskLease``.
public protocol TaskQueue: Sendable {
    func enqueue(_ task: TaskRecord) async throws
    /// Stores a task already leased to `owner` until `now + lease` (its first run), for a process that runs the task it starts;
    /// the answer carries the claim's lease token.
    func enqueueStarted(_ task: TaskRecord, owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord
    /// The oldest task ready in any of `environments` (queued, or running with a lease run out), leased to `owner` until
    /// `now + lease` under a new lease token (``TaskRecord/lease``); tasks whose lease ran out too often fail instead.
    func claim(in environments: [RuntimeEnvironmentID], owner: String, lease: TimeInterval, now: Date) async throws -> TaskRecord?
    /// Extends the lease; false when `owner`'s claim `lease` no longer holds it.
    func renewLease(_ lease: TaskLease, owner: String, until: Date) async throws -> Bool
    /// Records the outcome; false (and nothing written) when `owner`'s claim `lease` no longer holds the task.
    func finish(_ lease: TaskLease, owner: String, succeeded: Bool, result: Data?, error: String?, at: Date) async throws -> Bool
    /// Records the outcome and keeps the run's last log lines, in one step; false (and nothing written) when `owner`'s claim
    /// `lease` does not hold the running task (or the task is not the organization's).
    func finish(_ lease: TaskLease, in organization: OrganizationID, owner: String, succeeded: Bool, result: Data?, error: String?,
                logs: [TaskLogLine], at: Date) async throws -> Bool
    /// Keeps log lines, after the task's others; false (and nothing written) when `owner`'s claim `lease` does not hold the
    /// running task: a claim whose lease ran out (even when the task was claimed again for the same owner), or any other,
    /// cannot write into a run that is not its own, nor into a finished task. With no lines, answers whether it holds it.
    func appendLog(_ lease: TaskLease, owner: String, _ lines: [TaskLogLine]) async throws -> Bool
    func task(_ id: TaskID, in organization: OrganizationID) async throws -> TaskRecord
    /// The newest first.
    func tasks(of organization: OrganizationID, limit: Int) async throws -> [TaskRecord]
    func logs(of task: TaskID) async throws -> [TaskLogLine]
}

/// Secure Agents: each authenticates with its own token (only the hash is kept).
public protocol AgentStore: Sendable {
    func createAgent(_ agent: Agent, tokenHash: Data, by actor: AuditActor) async throws
    /// The agent a token's hash belongs to.
    func agent(forTokenHash hash: Data) async throws -> Agent?
    /// Notes that the agent is alive until `lease` seconds after `at`, and where it runs; a heartbeat ends a sign-off.
    func heartbeat(_ agent: AgentID, host: String, version: String, lease: TimeInterval, at: Date) async throws
    /// Notes that the agent stopped cleanly: it counts as unavailable at once, not when its lease runs out.
    func signOff(_ agent: AgentID, at: Date) async throws
    func agents(of organization: OrganizationID) async throws -> [Agent]
}

extension AgentStore {
    /// A heartbeat from an agent that did not say its lease.
    public func heartbeat(_ agent: AgentID, host: String, version: String, at: Date) async throws {
        try await heartbeat(agent, host: host, version: version, lease: Agent.defaultLease, at: at)
    }
}

public protocol RepositoryLifecycle: Sendable {
    /// Ends the repository's connections; it is not used afterwards.
    func close() async
}

/// Everything the product persists, behind one name: SQLite by default,
/// PostgreSQL for many nodes, behind the same protocols.
public typealias ConnectorRepository = OrganizationStore & SecretsManagerCredentialStore & TenantHostStore & RuntimeEnvironmentStore & ConnectionStore & ConnectionTestStore & MasterKeyStore & AuditTrail
    & UserStore & AccessTokenStore & IdempotencyStore & ConsoleSessionStore & SignInAttemptStore & TaskQueue & AgentStore & RepositoryLifecycle
