import Foundation
import HummingbirdBcrypt
import Logging
import QlikConnections
import Repository
import Synchronization
import Testing
import TestRepositories
@testable import Service
@testable import UseCases

/// Sign-in timing must not tell a wrong organization from an unknown address or a wrong password: every sign-in does the
/// same bcrypt work (PasswordHasher.checksPerSignIn checks), whatever the organization it names holds. The checks are
/// counted, not timed.
@Suite("Console sign-in: the same bcrypt work for a wrong organization, an unknown address, a wrong password and the right one")
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

    @Test("verify checks one hash with a hash or without (the decoy), and the decoy never matches, even with its own password")
    func verifyChecksOnce() async throws {
        let counter = CheckCounter()
        let hasher = counter.hasher()
        #expect(await hasher.verify("the right one", hash: Bcrypt.hash("the right one", cost: 4)))
        #expect(!(await hasher.verify("no such user", hash: nil)))
        #expect(counter.checks == 2 * PasswordHasher.checksPerSignIn)
    }

    @Test("the attack: sign-ins naming a wrong organization, one that does not exist, none, an unknown address, a disabled account, an address with accounts in two organizations, a wrong and the right password cost the same number of bcrypt checks through the console",
          arguments: RepositoryBackend.allCases)
    func consoleSignInWork(_ backend: RepositoryBackend) async throws {
        let base = try await ServiceHarness.make(backend)
        let hash = Bcrypt.hash("the right one", cost: 4)
        if let designer = base.people["designer"]?.user {
            try await base.repository.updateUser(designer, passwordHash: hash, by: AuditActor("test"))
        }
        if var viewer = base.people["viewer"]?.user {
            viewer.disabled = true
            try await base.repository.updateUser(viewer, passwordHash: hash, by: AuditActor("test"))
        }
        for organization in [base.acme, base.other] {
            let user = User(organizationID: organization.id, email: try EmailAddress("twice@example.com"), displayName: "Twice", role: .viewer)
            try await base.repository.createUser(user, passwordHash: hash, by: AuditActor("test"))
        }
        let counter = CheckCounter()
        var logger = Logger(label: "service-tests") { _ in base.logs }
        logger.logLevel = .trace
        let service = ConnectorService(repository: base.repository, keyring: nil, logger: logger, passwords: counter.hasher())
        let attempts: [(String, String, String, String, Int)] = [
            ("wrong organization", "Other", "designer@acme.example", "the right one", 401),
            ("no such organization", "Nobody Has This", "designer@acme.example", "the right one", 401),
            ("no organization", "", "designer@acme.example", "the right one", 401),
            ("unknown address", "Acme", "nobody@acme.example", "the right one", 401),
            ("disabled account", "Acme", "viewer@acme.example", "the right one", 401),
            ("accounts in two organizations, wrong password", "Acme", "twice@example.com", "a wrong one", 401),
            ("wrong password", "Acme", "designer@acme.example", "a wrong one", 401),
            ("right password", "Acme", "designer@acme.example", "the right one", 303)]
        let counts = try await ConsoleSignInTests.withLiveService(service) { console in
            let form = try await console.signInForm()
            var counts: [String: Int] = [:]
            for (what, organization, email, password, status) in attempts {
                counter.reset()
                let answer = try await console.signIn(form, organization: organization, email: email, password: password)
                #expect(answer.status.code == status, "\(what): \(answer.status)")
                counts[what] = counter.checks
            }
            return counts
        }
        #expect(Set(counts.values) == [PasswordHasher.checksPerSignIn], "bcrypt checks per sign-in: \(counts)")
    }
}
