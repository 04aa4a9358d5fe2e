import Foundation
import QlikConnections
import Testing
@testable import Repository
import TestRepositories

@Suite("Sign-in attempts: counted atomically before the password check, per key, shared by every handle on the database")
struct SignInAttemptTests {
    static let window: TimeInterval = 15 * 60

    /// A whole second, so that windows in milliseconds compare exactly.
    static var now: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }

    static func limits(_ address: String, client: String? = nil) -> [AttemptLimit] {
        [AttemptLimit(key: address, limit: 5, window: window)] + (client.map { [AttemptLimit(key: $0, limit: 20, window: window)] } ?? [])
    }

    @Test("30 reservations at once on 6 handles of one database (replicas): exactly 5 are granted, the rest wait for the window",
          arguments: RepositoryBackend.allCases)
    func concurrentReservations(_ backend: RepositoryBackend) async throws {
        let store = try await TestRepository.make(backend)
        let handles = [store.repository] + (try await (0..<5).asyncMap { _ in try await store.reopen() })
        let now = Self.now
        let outcomes = try await withThrowingTaskGroup(of: AttemptReservation.self) { group in
            for index in 0..<30 {
                let handle = handles[index % handles.count]
                group.addTask { try await handle.reserveAttempt(Self.limits("email:ada@acme.example"), at: now) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        for handle in handles.dropFirst() { await handle.close() }
        #expect(outcomes.filter { $0 == .reserved }.count == 5, "\(outcomes)")
        for outcome in outcomes where outcome != .reserved {
            guard case .refused(let keys, let retryAfter) = outcome else { continue }
            #expect(keys == ["email:ada@acme.example"] && retryAfter > Self.window - 60 && retryAfter <= Self.window)
        }
    }

    @Test("over the limit on one key counts nothing on the others; the e-mail and client limits each hold; a window that ended starts again",
          arguments: RepositoryBackend.allCases)
    func keysAndWindows(_ backend: RepositoryBackend) async throws {
        let repository = try await TestRepository.make(backend).repository
        let start = Self.now
        for _ in 0..<5 { #expect(try await repository.reserveAttempt(Self.limits("email:a", client: "client:1"), at: start) == .reserved) }
        let refused = try await repository.reserveAttempt(Self.limits("email:a", client: "client:1"), at: start.addingTimeInterval(60))
        #expect(refused == .refused(keys: ["email:a"], retryAfter: Self.window - 60))
        // The refused try was not counted against the client: 15 more addresses from it pass, the 21st attempt does not.
        for index in 0..<15 {
            #expect(try await repository.reserveAttempt(Self.limits("email:b\(index)", client: "client:1"), at: start) == .reserved)
        }
        let byClient = try await repository.reserveAttempt(Self.limits("email:fresh", client: "client:1"), at: start)
        #expect(byClient == .refused(keys: ["client:1"], retryAfter: Self.window))
        #expect(try await repository.reserveAttempt(Self.limits("email:fresh", client: "client:2"), at: start) == .reserved,
                "the address refused with client 1 was not counted")
        let later = start.addingTimeInterval(Self.window)
        #expect(try await repository.reserveAttempt(Self.limits("email:a", client: "client:1"), at: later) == .reserved, "the window ended")
    }

    @Test("a success clears the e-mail address and gives one attempt back to the client, seen by another handle", arguments: RepositoryBackend.allCases)
    func release(_ backend: RepositoryBackend) async throws {
        let store = try await TestRepository.make(backend)
        let other = try await store.reopen()
        let now = Self.now
        for _ in 0..<4 { #expect(try await store.repository.reserveAttempt(Self.limits("email:a", client: "client:1"), at: now) == .reserved) }
        for index in 0..<16 { #expect(try await other.reserveAttempt(Self.limits("email:x\(index)", client: "client:1"), at: now) == .reserved) }
        #expect(try await other.reserveAttempt(Self.limits("email:a", client: "client:1"), at: now) == .refused(keys: ["client:1"], retryAfter: Self.window))
        try await store.repository.releaseAttempt(clearing: ["email:a"], returning: ["client:1"], at: now)
        #expect(try await other.reserveAttempt(Self.limits("email:a", client: "client:1"), at: now) == .reserved, "the success gave one back")
        #expect(try await other.reserveAttempt(Self.limits("email:a", client: "client:1"), at: now) == .refused(keys: ["client:1"], retryAfter: Self.window))
        for _ in 0..<4 { #expect(try await other.reserveAttempt(Self.limits("email:a"), at: now) == .reserved) }
        #expect(try await other.reserveAttempt(Self.limits("email:a"), at: now) == .refused(keys: ["email:a"], retryAfter: Self.window),
                "after the clear, the address has its five again")
        await other.close()
    }

    @Test("the attack: made-up addresses sprayed from many clients, no sign-in ever succeeding; ended windows go as later attempts are reserved, so the table holds only windows still running", arguments: RepositoryBackend.allCases)
    func endedWindowsGoWithoutSuccess(_ backend: RepositoryBackend) async throws {
        let store = try await TestRepository.make(backend)
        let start = Self.now
        for index in 0..<150 {
            #expect(try await store.repository.reserveAttempt(Self.limits("email:spray\(index)@example.com", client: "client:\(index)"), at: start) == .reserved)
        }
        #expect(try await store.texts("COUNT(*)", from: "sign_in_attempts") == ["300"])
        // The windows have ended; the spray goes on with new addresses from new clients.
        let later = start.addingTimeInterval(Self.window + 1)
        for index in 0..<10 {
            #expect(try await store.repository.reserveAttempt(Self.limits("email:later\(index)@example.com", client: "client:later\(index)"), at: later)
                == .reserved)
        }
        let endedWindows = try await store.texts("COUNT(*)", from: "sign_in_attempts WHERE window_ends_at <= \(later.millisecondsSince1970)")
        #expect(endedWindows == ["0"], "ended windows kept without a successful sign-in")
        #expect(try await store.texts("COUNT(*)", from: "sign_in_attempts") == ["20"], "only the running windows are left")
        // A key whose window ended and was swept starts again, as it would had its row been kept.
        for _ in 0..<5 { #expect(try await store.repository.reserveAttempt(Self.limits("email:spray0@example.com"), at: later) == .reserved) }
        #expect(try await store.repository.reserveAttempt(Self.limits("email:spray0@example.com"), at: later)
            == .refused(keys: ["email:spray0@example.com"], retryAfter: Self.window))
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var results: [T] = []
        for element in self { results.append(try await transform(element)) }
        return results
    }
}
