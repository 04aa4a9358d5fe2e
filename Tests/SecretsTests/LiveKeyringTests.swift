import Foundation
import QlikConnections
import Synchronization
import Testing
import Secrets

@Suite("The keys a running service holds, read again when another process rotated them")
struct LiveKeyringTests {
    struct Stale: Error {}
    struct Unreadable: Error {}

    /// Counts reads of the key store, each taking a moment, as a file read under load does.
    final class Store: Sendable {
        let reads = Mutex(0)
        let next: MasterKey
        init(next: MasterKey) { self.next = next }

        func read(_ held: Keyring) async throws -> Keyring {
            reads.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(100))
            return Keyring(active: next).keeping(held)
        }
    }

    @Test("50 callers that find the keys stale at once cause one read of the key store, and all get its keys (old ones kept)")
    func singleFlight() async throws {
        let old = MasterKey.generate(), new = MasterKey.generate()
        let store = Store(next: new)
        let keys = LiveKeyring(Keyring(active: old)) { held in try await store.read(held) }
        let stale = keys.current
        let seen = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<50 { group.addTask { try await keys.reloaded(after: stale).keyIDs } }
            return try await group.reduce(into: [[String]]()) { $0.append($1) }
        }
        #expect(store.reads.withLock { $0 } == 1)
        #expect(Set(seen) == [[old.id, new.id].sorted()])
        #expect(keys.current.active.id == new.id)
        // A caller that saw the old keys after the read finished gets the new ones without another read.
        #expect(try await keys.reloaded(after: stale).active.id == new.id && store.reads.withLock { $0 } == 1)
    }

    @Test("a value under a key not held reads the keys again, then opens; one under a held key reads nothing")
    func holding() async throws {
        let old = MasterKey.generate(), new = MasterKey.generate()
        let store = Store(next: new)
        let keys = LiveKeyring(Keyring(active: old)) { held in try await store.read(held) }
        let connection = ConnectionID(UUID())
        let secret = try #require(Secret("tok-123"))
        let sealed = try Keyring(active: new).seal(secret, for: connection, field: .accessToken)
        #expect(try await keys.keyring(holding: old.id).active.id == old.id && store.reads.withLock { $0 } == 0)
        #expect(try await keys.keyring(holding: sealed.keyID).open(sealed, for: connection, field: .accessToken).reveal() == "tok-123")
        #expect(store.reads.withLock { $0 } == 1)
    }

    @Test("withCurrent runs again once with the keys read again when the first run was stale; any other failure is not retried")
    func retriesOnce() async throws {
        let old = MasterKey.generate(), new = MasterKey.generate()
        let store = Store(next: new)
        let keys = LiveKeyring(Keyring(active: old)) { held in try await store.read(held) }
        let runs = Mutex<[String]>([])
        let sealedWith = try await keys.withCurrent(retryingWhen: { $0 is Stale }) { keyring in
            runs.withLock { $0.append(keyring.active.id) }
            guard keyring.active.id == new.id else { throw Stale() }
            return keyring.active.id
        }
        #expect(sealedWith == new.id && runs.withLock { $0 } == [old.id, new.id])
        await #expect(throws: Unreadable.self) {
            try await keys.withCurrent(retryingWhen: { $0 is Stale }) { _ in throw Unreadable() }
        }
        #expect(store.reads.withLock { $0 } == 1)
    }

    @Test("a failed read reaches every caller waiting on it, and the next stale caller reads again")
    func failedRead() async throws {
        let attempts = Mutex(0)
        let keys = LiveKeyring(Keyring(active: MasterKey.generate())) { _ in
            attempts.withLock { $0 += 1 }
            try await Task.sleep(for: .milliseconds(100))
            throw Unreadable()
        }
        let stale = keys.current
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do { _ = try await keys.reloaded(after: stale); return false } catch { return error is Unreadable }
                }
            }
            return await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(failures == 10 && attempts.withLock { $0 } == 1)
        await #expect(throws: Unreadable.self) { try await keys.reloaded(after: stale) }
        #expect(attempts.withLock { $0 } == 2)
    }
}
