public import Foundation

/// A value that expires (a token, a fetched secret), refreshed by one fetch
/// at a time however many callers ask for it.
///
/// - A valid value is returned as it is.
/// - Inside the refresh margin before its expiry, the first caller starts one
///   refresh in the background and every caller keeps the current value.
/// - With no value, or an expired one, callers wait for the one refresh.
/// - A failed refresh is not kept: the next call tries again, and a still
///   valid value keeps serving meanwhile.
/// - A cancelled caller leaves with `CancellationError`; the refresh others
///   wait for goes on.
///
/// soto-core's `ExpiringValue` is the model; this one also recovers from a
/// failed refresh and lets waiting callers be cancelled.
public actor ExpiringValue<Value: Sendable> {
    public typealias Fetch = @Sendable (_ current: Value?) async throws -> (value: Value, expiresAt: Date)

    private struct Held {
        let value: Value
        let obtainedAt: Date
        let expiresAt: Date
    }

    private struct Refresh {
        let id: UInt64
        let outcome: SharedRefresh<Value>
        let task: Task<Void, Never>
    }

    private enum State {
        case empty
        /// No valid value: callers wait for this refresh.
        case fetching(Refresh)
        case held(Held)
        /// A valid value that serves while this refresh runs.
        case heldRefreshing(Held, Refresh)
    }

    private var state = State.empty
    private var latest: SharedRefresh<Value>?
    private let now: @Sendable () -> Date
    /// How many refreshes were started: what single-flight keeps low.
    public private(set) var refreshes: UInt64 = 0

    /// `now` is the clock values expire by (tests move it by hand).
    public init(now: @escaping @Sendable () -> Date = { Date() }) {
        self.now = now
    }

    deinit {
        // A refresh must not outlive the value it is for: nobody could read its result.
        switch state {
        case .fetching(let refresh), .heldRefreshing(_, let refresh): refresh.task.cancel()
        case .empty, .held: break
        }
    }

    /// The current value, refreshed by `fetch` as described on the type. `fetch` is given the current value while
    /// it is still valid (so a token can be renewed rather than obtained anew) and returns the new one with its expiry.
    public func get(refreshingEarly margin: RefreshMargin = .none, fetch: @escaping Fetch) async throws -> Value {
        let time = now()
        switch state {
        case .held(let held) where time < held.expiresAt:
            if time >= margin.refreshAt(obtainedAt: held.obtainedAt, expiresAt: held.expiresAt) {
                state = .heldRefreshing(held, start(from: held.value, fetch: fetch))
            }
            return held.value
        case .heldRefreshing(let held, _) where time < held.expiresAt:
            return held.value
        case .heldRefreshing(_, let refresh):
            // Expired while its refresh runs: from now on, callers wait for that refresh.
            state = .fetching(refresh)
            return try await refresh.outcome.value()
        case .fetching(let refresh):
            return try await refresh.outcome.value()
        case .empty, .held:
            let refresh = start(from: nil, fetch: fetch)
            state = .fetching(refresh)
            return try await refresh.outcome.value()
        }
    }

    /// Forgets the current value when `isCurrent` says it is the one a server rejected, so the next call fetches
    /// another; a value refreshed since then is kept. A refresh under way goes on.
    public func invalidate(ifCurrent isCurrent: @Sendable (Value) -> Bool) {
        switch state {
        case .held(let held) where isCurrent(held.value):
            state = .empty
        case .heldRefreshing(let held, let refresh) where isCurrent(held.value):
            state = .fetching(refresh)
        case .empty, .fetching, .held, .heldRefreshing:
            break
        }
    }

    /// The outcome of the latest refresh (its value, or its error), waiting for it while it runs; nil before the first.
    /// For a caller that must know a background refresh has landed, such as a test or a shutdown.
    public func latestRefresh() async throws -> Value? {
        try await latest?.value()
    }

    private func start(from current: Value?, fetch: @escaping Fetch) -> Refresh {
        refreshes += 1
        let id = refreshes
        let outcome = SharedRefresh<Value>()
        latest = outcome
        // Unstructured on purpose: the refresh belongs to every caller waiting for it (and to none when it runs
        // early), so no one caller's task may own it. It holds this actor weakly and deinit cancels it, so it
        // cannot outlive the value it refreshes.
        let task = Task { [weak self] in
            let result: Result<(value: Value, expiresAt: Date), any Error>
            do {
                result = .success(try await fetch(current))
            } catch {
                result = .failure(error)
            }
            // The state first, then the callers: one that calls again at once finds the new value.
            await self?.settle(id, result)
            outcome.finish(result.map { $0.value })
        }
        return Refresh(id: id, outcome: outcome, task: task)
    }

    private func settle(_ id: UInt64, _ result: Result<(value: Value, expiresAt: Date), any Error>) {
        let previous: Held?
        switch state {
        case .fetching(let refresh) where refresh.id == id: previous = nil
        case .heldRefreshing(let held, let refresh) where refresh.id == id: previous = held
        case .empty, .fetching, .held, .heldRefreshing: return   // Not this refresh's state any more.
        }
        switch result {
        case .success(let fresh):
            state = .held(Held(value: fresh.value, obtainedAt: now(), expiresAt: fresh.expiresAt))
        case .failure:
            // Its callers get the error; the state does not keep it, so the next call tries again.
            state = previous.map(State.held) ?? .empty
        }
    }
}
