public import Foundation

public struct TaskID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID
    public init(_ rawValue: UUID = UUID()) { self.rawValue = rawValue }
    public var description: String { rawValue.uuidString.lowercased() }
}

public struct AgentID: Hashable, Sendable, Codable, CustomStringConvertible {
    public let rawValue: UUID
    public init(_ rawValue: UUID = UUID()) { self.rawValue = rawValue }
    public var description: String { rawValue.uuidString.lowercased() }
}

/// One unit of work on a connection, run on the connection's runtime environment.
public enum TaskKind: String, Hashable, Sendable, Codable, CaseIterable {
    /// Test Connection.
    case test
    /// Catalog the tenant: spaces, apps and their data models, data files, lineage.
    case discover
    /// A table or data file into a file on the runtime environment.
    case read
    /// A file on the runtime environment up as a data file, then reloads.
    case write
    /// Reload an app.
    case reload
    /// Waits the payload's `milliseconds` and succeeds: exercises the queue (benchmarks, failover tests).
    case noop
}

public enum TaskState: String, Hashable, Sendable, Codable, CaseIterable {
    case queued, running, succeeded, failed

    public var isFinished: Bool { self == .succeeded || self == .failed }
}

/// A task as the queue keeps it: what to do, where, and how far it got.
/// While running it is leased to one claim of one worker until `leaseExpiresAt`; a lease
/// that runs out puts the task back in the queue (at most `maxAttempts` runs).
public struct TaskRecord: Hashable, Sendable, Identifiable {
    public let id: TaskID
    public let organizationID: OrganizationID
    public let runtimeEnvironmentID: RuntimeEnvironmentID
    public let connectionID: ConnectionID?
    public let connectionName: String?
    public let kind: TaskKind
    /// The task's parameters as JSON (never a credential).
    public let payload: Data
    public var state: TaskState
    public var attempts: Int
    public let maxAttempts: Int
    public var leaseOwner: String?
    /// Made anew at each claim (and first run): what the holder of this claim shows to renew, log and finish.
    public var leaseToken: String?
    public var leaseExpiresAt: Date?
    public let requestedBy: String
    public let createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    /// The outcome as JSON (a Test Connection report, ...), when finished.
    public var result: Data?
    public var error: String?

    public init(id: TaskID = TaskID(), organizationID: OrganizationID, runtimeEnvironmentID: RuntimeEnvironmentID, connectionID: ConnectionID?,
                connectionName: String?, kind: TaskKind, payload: Data = Data("{}".utf8), maxAttempts: Int = 3, requestedBy: String,
                createdAt: Date = Date()) {
        self.id = id
        self.organizationID = organizationID
        self.runtimeEnvironmentID = runtimeEnvironmentID
        self.connectionID = connectionID
        self.connectionName = connectionName
        self.kind = kind
        self.payload = payload
        state = .queued
        attempts = 0
        self.maxAttempts = max(1, maxAttempts)
        self.requestedBy = requestedBy
        self.createdAt = createdAt.millisecondPrecision
    }

    /// Rebuilds a stored task, every field as kept.
    public init(id: TaskID, organizationID: OrganizationID, runtimeEnvironmentID: RuntimeEnvironmentID, connectionID: ConnectionID?,
                connectionName: String?, kind: TaskKind, payload: Data, state: TaskState, attempts: Int, maxAttempts: Int, leaseOwner: String?,
                leaseToken: String?, leaseExpiresAt: Date?, requestedBy: String, createdAt: Date, startedAt: Date?, finishedAt: Date?, result: Data?,
                error: String?) {
        self.id = id
        self.organizationID = organizationID
        self.runtimeEnvironmentID = runtimeEnvironmentID
        self.connectionID = connectionID
        self.connectionName = connectionName
        self.kind = kind
        self.payload = payload
        self.state = state
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.leaseOwner = leaseOwner
        self.leaseToken = leaseToken
        self.leaseExpiresAt = leaseExpiresAt
        self.requestedBy = requestedBy
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.result = result
        self.error = error
    }
}

extension TaskRecord {
    /// The task in its first run, leased to `owner` until `until` under a new lease token.
    public func startedRun(by owner: String, until: Date, at now: Date) -> TaskRecord {
        var started = self
        started.state = .running
        started.attempts = 1
        started.leaseOwner = owner
        started.leaseToken = TaskLease.newToken()
        started.leaseExpiresAt = until.millisecondPrecision
        started.startedAt = now.millisecondPrecision
        return started
    }

    /// The claim that holds the running task, as its holder shows it; nil when nobody holds it.
    public var lease: TaskLease? {
        guard state == .running, let leaseToken else { return nil }
        return TaskLease(task: id, token: leaseToken)
    }
}

/// One claim of a task, as its holder names it to renew the lease, log and finish: the task and the token the queue made for
/// this claim. Each claim gets a new token, so a worker whose lease ran out cannot write into the run of the worker that
/// claimed the task after it, even when both claimed for one owner (two workers of one agent). Not a secret: the owner's
/// own credentials (an agent's token) still decide who may write at all.
public struct TaskLease: Hashable, Sendable, CustomStringConvertible {
    public let task: TaskID
    public let token: String

    public init(task: TaskID, token: String) {
        self.task = task
        self.token = token
    }

    /// A token for a new claim.
    public static func newToken() -> String { UUID().uuidString.lowercased() }

    public var description: String { "task \(task) (lease \(token))" }
}

/// One line a task logged while it ran.
public struct TaskLogLine: Hashable, Sendable, Codable {
    public let at: Date
    public let level: String
    public let message: String

    public init(at: Date = Date(), level: String = "info", message: String) {
        self.at = at.millisecondPrecision
        self.level = level
        self.message = message
    }
}

/// A Secure Agent: a process on another machine that runs its group's tasks.
public struct Agent: Hashable, Sendable, Identifiable {
    public let id: AgentID
    public let organizationID: OrganizationID
    public let runtimeEnvironmentID: RuntimeEnvironmentID
    public let name: String
    public var host: String?
    public var version: String?
    public let createdAt: Date
    public var lastHeartbeatAt: Date?
    /// Seconds its last heartbeat vouches for it: the agent promises the next one within this (it says so with each heartbeat).
    public var lease: TimeInterval
    /// When it signed off on a clean stop; nil once it sends a heartbeat again.
    public var stoppedAt: Date?

    public init(id: AgentID = AgentID(), organizationID: OrganizationID, runtimeEnvironmentID: RuntimeEnvironmentID, name: String,
                host: String? = nil, version: String? = nil, createdAt: Date = Date(), lastHeartbeatAt: Date? = nil,
                lease: TimeInterval = Agent.defaultLease, stoppedAt: Date? = nil) {
        self.id = id
        self.organizationID = organizationID
        self.runtimeEnvironmentID = runtimeEnvironmentID
        self.name = name
        self.host = host
        self.version = version
        self.createdAt = createdAt.millisecondPrecision
        self.lastHeartbeatAt = lastHeartbeatAt
        self.lease = lease
        self.stoppedAt = stoppedAt
    }

    /// The lease of an agent that did not say its own (agents before 0.2 beat every 10 s, so two beats fit in it).
    public static let defaultLease: TimeInterval = 20
    /// The leases an agent may claim: long enough for a beat to travel, short enough that a dead agent shows within minutes.
    public static let leaseRange: ClosedRange<TimeInterval> = 2...600

    /// Available when it has not signed off and its last heartbeat is within its lease of `now`.
    public func isAvailable(at now: Date) -> Bool {
        guard stoppedAt == nil, let lastHeartbeatAt else { return false }
        return now.timeIntervalSince(lastHeartbeatAt) <= lease
    }
}
