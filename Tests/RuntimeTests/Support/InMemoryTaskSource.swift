import Foundation
import QlikConnections
import Runtime

/// A task queue in memory: tasks the test queued, renewals answered as the test scripts them, and every
/// claim, renewal, log line and outcome kept for the test to read.
actor InMemoryTaskSource: TaskSource {
    /// How the service answers one renewal.
    enum Renewal: Sendable {
        /// The lease is extended.
        case renewed
        /// The lease ran out and another claim took the task (the answer `false`).
        case lost
        /// The service said the task is not this claim's any more (``TaskLeaseLost``).
        case refused
        /// The service did not answer (a network failure): the lease holds until it runs out.
        case unreachable
    }

    /// The service could not be reached, in the words a worker logs.
    struct Unreachable: Error, CustomStringConvertible {
        let description = "the task service did not answer (in-memory source told to fail)"
    }

    nonisolated let lease: TimeInterval
    private var queued: [ClaimedTask] = []
    private var claimFailures: Int
    private var renewalAnswers: [Renewal] = []
    private let laterRenewals: Renewal
    private let finishRefusal: (any Error)?
    private let logRefusal: TaskLeaseLost?

    private(set) var claims = 0
    private(set) var renewals: [TaskLease] = []
    private(set) var finished: [TaskOutcome] = []
    private(set) var logged: [String] = []

    /// - Parameters:
    ///   - claimFailures: how many claims fail first, as when the service cannot be reached.
    ///   - renewals: the answers to the first renewals, in order; `laterRenewals` answers every one after them.
    ///   - finishRefusal: thrown by every `finish`, after it is noted.
    ///   - logRefusal: thrown by every `log`, after the attempt is noted.
    init(lease: TimeInterval = 30, claimFailures: Int = 0, renewals: [Renewal] = [], laterRenewals: Renewal = .renewed,
         finishRefusal: (any Error)? = nil, logRefusal: TaskLeaseLost? = nil) {
        self.lease = lease
        self.claimFailures = claimFailures
        self.renewalAnswers = renewals
        self.laterRenewals = laterRenewals
        self.finishRefusal = finishRefusal
        self.logRefusal = logRefusal
    }

    func enqueue(_ claimed: ClaimedTask) { queued.append(claimed) }

    func claim() async throws -> ClaimedTask? {
        claims += 1
        if claimFailures > 0 {
            claimFailures -= 1
            throw Unreachable()
        }
        return queued.isEmpty ? nil : queued.removeFirst()
    }

    func renew(_ lease: TaskLease) async throws -> Bool {
        renewals.append(lease)
        let answer = renewalAnswers.isEmpty ? laterRenewals : renewalAnswers.removeFirst()
        switch answer {
        case .renewed: return true
        case .lost: return false
        case .refused: throw TaskLeaseLost("409 lease_lost: another worker runs \(lease)")
        case .unreachable: throw Unreachable()
        }
    }

    func finish(_ lease: TaskLease, _ outcome: TaskOutcome) async throws {
        finished.append(outcome)
        if let finishRefusal { throw finishRefusal }
    }

    func log(_ lease: TaskLease, _ lines: [TaskLogLine]) async throws {
        logged += lines.map(\.message)
        if let logRefusal { throw logRefusal }
    }

    /// A claimed no-op task on no connection, as a worker receives it.
    static func claimedTask() throws -> ClaimedTask {
        let record = TaskRecord(organizationID: OrganizationID(), runtimeEnvironmentID: RuntimeEnvironmentID(), connectionID: nil, connectionName: nil,
                                kind: .noop, payload: try TaskResults.encode(NoopPayload(milliseconds: 0)), requestedBy: "test")
        return ClaimedTask(record: record, lease: TaskLease(task: record.id, token: TaskLease.newToken()), connection: nil)
    }
}
