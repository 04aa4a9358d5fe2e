import Caching
import Foundation
import Synchronization
import Testing

@Suite("ExpiringValue: one refresh at a time, the old value kept while it runs early")
struct ExpiringValueTests {
    /// Time moved by hand: what expires is decided by the test, not by how busy the machine is.
    final class Clock: Sendable {
        private let current = Mutex(Date(timeIntervalSinceReferenceDate: 0))
        var now: Date { current.withLock { $0 } }
        func advance(_ seconds: TimeInterval) { current.withLock { $0 += seconds } }
    }

    /// A fetch that counts its calls and answers "v1", "v2", ... valid for 100 s; it can be held at a gate.
    final class Source: Sendable {
        private let state = Mutex((calls: 0, failNext: false, gateOpen: true, held: [CheckedContinuation<Void, Never>]()))
        private let (started, startedContinuation) = AsyncStream.makeStream(of: Void.self)
        let clock: Clock

        init(clock: Clock) { self.clock = clock }

        var calls: Int { state.withLock { $0.calls } }
        func failNext() { state.withLock { $0.failNext = true } }
        func closeGate() { state.withLock { $0.gateOpen = false } }
        func openGate() {
            let held = state.withLock { state in
                state.gateOpen = true
                defer { state.held = [] }
                return state.held
            }
            for continuation in held { continuation.resume() }
        }

        /// Returns once a fetch has started.
        func waitForStart() async {
            for await _ in started { return }
        }

        func fetch(_ current: String?) async throws -> (value: String, expiresAt: Date) {
            let (call, fails) = state.withLock { state in
                state.calls += 1
                defer { state.failNext = false }
                return (state.calls, state.failNext)
            }
            startedContinuation.yield()
            await withCheckedContinuation { continuation in
                let open = state.withLock { state in
                    if !state.gateOpen { state.held.append(continuation) }
                    return state.gateOpen
                }
                if open { continuation.resume() }
            }
            if fails { throw SourceDown() }
            return ("v\(call)", clock.now.addingTimeInterval(100))
        }
    }

    struct SourceDown: Error {}

    let clock = Clock()

    private func make() -> (ExpiringValue<String>, Source) {
        let clock = clock
        return (ExpiringValue<String>(now: { clock.now }), Source(clock: clock))
    }

    @Test("a valid value is returned again without a fetch")
    func reuseWhileValid() async throws {
        let (value, source) = make()
        #expect(try await value.get(fetch: source.fetch) == "v1")
        clock.advance(99)
        #expect(try await value.get(fetch: source.fetch) == "v1")
        #expect(source.calls == 1)
    }

    @Test("inside the margin, callers keep the old value while one background refresh runs")
    func refreshEarlyKeepsOldValue() async throws {
        let (value, source) = make()
        _ = try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch)
        clock.advance(95)
        source.closeGate()
        #expect(try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch) == "v1")
        #expect(try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch) == "v1")
        #expect(await value.refreshes == 2)
        source.openGate()
        #expect(try await value.latestRefresh() == "v2")
        #expect(try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch) == "v2")
        #expect(source.calls == 2)
    }

    @Test("1,000 concurrent callers on an empty value cause one fetch and all get its value")
    func highlyConcurrentFetchesOnce() async throws {
        let (value, source) = make()
        let values = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<1000 { group.addTask { try await value.get(fetch: source.fetch) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(values == ["v1"])
        #expect(source.calls == 1)
    }

    @Test("a failed fetch reaches its callers but is not kept: the next call fetches again")
    func failedRefreshDoesNotStick() async throws {
        let (value, source) = make()
        source.failNext()
        await #expect(throws: SourceDown.self) { try await value.get(fetch: source.fetch) }
        #expect(try await value.get(fetch: source.fetch) == "v2")
    }

    @Test("a failed early refresh keeps the still valid value, and the next call in the margin tries again")
    func failedEarlyRefreshKeepsValue() async throws {
        let (value, source) = make()
        _ = try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch)
        clock.advance(95)
        source.failNext()
        #expect(try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch) == "v1")
        await #expect(throws: SourceDown.self) { try await value.latestRefresh() }
        #expect(try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch) == "v1")
        #expect(try await value.latestRefresh() == "v3")
    }

    @Test("a cancelled caller leaves with CancellationError while the fetch it started goes on for the next")
    func cancelledCallerDoesNotCancelRefresh() async throws {
        let (value, source) = make()
        source.closeGate()
        await withTaskGroup(of: (any Error)?.self) { group in
            group.addTask {
                do { _ = try await value.get(fetch: source.fetch); return nil } catch { return error }
            }
            await source.waitForStart()
            group.cancelAll()
            let left = await group.next() ?? nil
            #expect(left is CancellationError, "\(String(describing: left))")
        }
        source.openGate()
        #expect(try await value.get(fetch: source.fetch) == "v1")
        #expect(source.calls == 1)
    }

    @Test("an expired value is never returned: callers wait for the new one")
    func hardExpiryWaits() async throws {
        let (value, source) = make()
        _ = try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch)
        clock.advance(100)
        #expect(try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch) == "v2")
    }

    @Test("an early refresh still running at expiry is waited for, not started again")
    func expiryDuringEarlyRefreshWaitsForIt() async throws {
        let (value, source) = make()
        _ = try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch)
        clock.advance(95)
        source.closeGate()
        #expect(try await value.get(refreshingEarly: .seconds(10), fetch: source.fetch) == "v1")
        clock.advance(10)
        async let waited = value.get(refreshingEarly: .seconds(10), fetch: source.fetch)
        source.openGate()
        #expect(try await waited == "v2")
        #expect(source.calls == 2)
    }

    @Test("invalidating the value a server rejected makes the next call fetch; another value is left alone")
    func invalidateIfCurrent() async throws {
        let (value, source) = make()
        _ = try await value.get(fetch: source.fetch)
        await value.invalidate(ifCurrent: { $0 == "some other" })
        #expect(try await value.get(fetch: source.fetch) == "v1")
        await value.invalidate(ifCurrent: { $0 == "v1" })
        #expect(try await value.get(fetch: source.fetch) == "v2")
    }

    @Test("a refresh still running when its ExpiringValue is released is cancelled, not left behind")
    func releasedValueCancelsRefresh() async throws {
        let (ended, end) = AsyncStream.makeStream(of: Bool.self)
        let clock = clock
        var value: ExpiringValue<String>? = ExpiringValue<String>(now: { clock.now })
        _ = try await value?.get(refreshingEarly: .seconds(10)) { _ in ("v1", clock.now.addingTimeInterval(100)) }
        clock.advance(95)
        _ = try await value?.get(refreshingEarly: .seconds(10)) { _ in
            // Reports whether the fetch was told to stop; a minute is far longer than the test waits for it.
            do {
                try await Task.sleep(for: .seconds(60))
                end.yield(false)
            } catch {
                end.yield(error is CancellationError)
            }
            return ("v2", clock.now.addingTimeInterval(100))
        }
        value = nil
        var iterator = ended.makeAsyncIterator()
        #expect(await iterator.next() == true)
    }

    @Test("the margin is a fraction of the lifetime, capped")
    func marginFractionCapped() async throws {
        let (value, source) = make()
        let margin = RefreshMargin(fractionOfLifetime: 0.5, atMost: 20)
        _ = try await value.get(refreshingEarly: margin, fetch: source.fetch)
        clock.advance(79)
        _ = try await value.get(refreshingEarly: margin, fetch: source.fetch)
        #expect(await value.refreshes == 1, "half the lifetime would be 50 s, capped at 20 s")
        clock.advance(1)
        _ = try await value.get(refreshingEarly: margin, fetch: source.fetch)
        #expect(await value.refreshes == 2)
    }
}
