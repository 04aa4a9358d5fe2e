import Foundation
import HummingbirdBcrypt
import Logging
import QlikConnections
import Repository
import Synchronization
import Testing
import TestRepositories
@testable import Service

/// Sign-in timing must not tell whether an address has accounts in other organizations: every sign-in does the same
/// bcrypt work however many accounts its address has (up to PasswordHasher.checksPerSignIn). The checks are counted,
/// not timed.
@Suite("Console sign-in: the same bcrypt work for an address with no account, one, or accounts in several organizations")
struct SignInWorkTests {
    /// Counts bcrypt checks; the checks themselves are real.
    final class CheckCounter: Sendable {
        private let count = Mutex(0)
        var checks: Int { count.withLock { $0 } }
        func reset() { count.withLock { $0 = 0 } }

        func hasher() -> PasswordHasher {
            PasswordHasher(cost: 4) { password, hash in
                self.count.withLock { $0 += 1 }
                return Bcrypt.verify(password, hash: hash)
            }
        }
    }

    @Test("matching checks the same number of hashes for 0, 1, 2 and 3 accounts, and still finds the one the password opens")
    func matchingChecksAFixedNumber() async throws {
        let counter = CheckCounter()
        let hasher = counter.hasher()
        let hashes = ["one", "two", "three"].map { Bcrypt.hash($0, cost: 4) }
        var counts: [Int] = []
        for accounts in 0...3 {
            counter.reset()
            let matched = await hasher.matching("two", hashes: Array(hashes.prefix(accounts)))
            counts.append(counter.checks)
            #expect(matched == (accounts >= 2 ? [1] : []), "\(accounts) account(s)")
        }
        #expect(counts == Array(repeating: PasswordHasher.checksPerSignIn, count: 4), "checks per sign-in: \(counts)")
        // The decoy that makes up the number never signs anyone in, even with its own password.
        #expect(await hasher.matching("no such user", hashes: []).isEmpty)
    }

    @Test("the attack: wrong passwords for an unknown address, an address with one account and one with accounts in two organizations cost the same number of bcrypt checks through the console", arguments: RepositoryBackend.allCases)
    func consoleSignInWork(_ backend: RepositoryBackend) async throws {
        let base = try await ServiceHarness.make(backend)
        let hash = Bcrypt.hash("the right one", cost: 4)
        if let designer = base.people["designer"]?.user {
            try await base.repository.updateUser(designer, passwordHash: hash, by: AuditActor("test"))
        }
        for organization in [base.acme, base.other] {
            let user = User(organizationID: organization.id, email: try EmailAddress("twice@example.com"), displayName: "Twice", role: .viewer)
            try await base.repository.createUser(user, passwordHash: hash, by: AuditActor("test"))
        }
        let counter = CheckCounter()
        var logger = Logger(label: "service-tests") { _ in base.logs }
        logger.logLevel = .trace
        let service = ConnectorService(repository: base.repository, keyring: nil, logger: logger, passwords: counter.hasher())
        let counts = try await ConsoleSignInTests.withLiveService(service) { console in
            let form = try await console.signInForm()
            var counts: [String: Int] = [:]
            for email in ["nobody@example.com", "designer@acme.example", "twice@example.com"] {
                counter.reset()
                let answer = try await console.signIn(form, email: email, password: "a wrong one")
                #expect(answer.status == .unauthorized, "\(email): \(answer.status)")
                counts[email] = counter.checks
            }
            return counts
        }
        #expect(Set(counts.values) == [PasswordHasher.checksPerSignIn], "bcrypt checks per sign-in by address: \(counts)")
    }
}
