import Foundation
import Logging
import QlikConnections
import Repository
import Secrets
import Testing
import TestRepositories
@testable import Service
import UseCases

/// Where the operator keeps the master key is theirs alone: when a rotation went wrong, the organization's users
/// (API answers, task errors) are told the operator must act, and only the service's log names the file.
@Suite("A master key the service cannot load again: no server path reaches an API answer or a task's error, the log has it")
struct ServerPathsInErrorsTests {
    /// How the service's reading of the key again fails, as MasterKeyLocation.reloaded throws it.
    enum ReloadFailure: String, CaseIterable, Sendable {
        /// The rotated key is not where this service reads its key.
        case rotatedKeyNotFound
        /// The key file cannot be read (MasterKeyFile.read, reached from reloaded() too).
        case keyFileUnreadable
    }

    @Test("after another process rotated the key to one this service cannot load, a designer's POST /connections (500 sealing_failed) and Test Connection's task name no path; the service's log does",
          arguments: ReloadFailure.allCases)
    func rotationGoneWrong(_ failure: ReloadFailure) async throws {
        let base = try await ServiceHarness.make()
        let repository = base.repository
        let keyPath = "/srv/qlik-connector-\(UUID().uuidString)/master.key"
        let held = MasterKey.generate(), rotated = MasterKey.generate()
        // Nothing is sealed yet: the repository moves to the key this service holds.
        _ = try await repository.rotateMasterKey(to: held.id, by: AuditActor("test")) { _, sealed in sealed }
        var logger = Logger(label: "service-tests") { _ in base.logs }
        logger.logLevel = .trace
        let service = ConnectorService(repository: repository, keyring: Keyring(active: held), logger: logger, passwords: PasswordHasher(cost: 4),
                                       taskWait: .seconds(60), reloadingKeys: { stale in
                                           switch failure {
                                           case .rotatedKeyNotFound:
                                               throw SecretsError.rotatedKeyNotFound(repositoryKeyID: try await repository.activeMasterKeyID() ?? "none",
                                                                                     heldKeyID: stale.active.id, location: "the master key file \(keyPath)")
                                           case .keyFileUnreadable:
                                               throw SecretsError.keyFileUnreadable(path: keyPath, reason: "Permission denied")
                                           }
                                       })
        let harness = ServiceHarness(store: base.store, service: service, logs: base.logs, acme: base.acme, other: base.other, people: base.people)
        try await harness.withClient { api in
            let designer = harness.token("designer")
            func connection(_ name: String) -> [String: Any] {
                ["name": name, "runtimeEnvironment": "Serverless", "authenticationType": "api-key", "baseURL": "https://acme.eu.qlikcloud.com",
                 "accessToken": "a-token"]
            }
            #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: connection("Kept")).status == .created)
            // Another process rotates: the stored value is sealed again under a key this service never held.
            let both = Keyring(active: rotated, others: [held])
            _ = try await repository.rotateMasterKey(to: rotated.id, by: AuditActor("test")) { slot, sealed in try both.reseal(sealed, for: slot) }

            let created = try await api.call(.post, "/api/v1/connections", token: designer, json: connection("After"))
            #expect(created.status == .internalServerError && created.errorCode == "sealing_failed", "\(created.status) \(created.text)")
            #expect(!created.text.contains("/srv/"), "the answer names the key file: \(created.text)")
            #expect(created.text.contains("operator"), "\(created.text)")

            let tested = try await api.call(.post, "/api/v1/connections/Kept/test", token: designer)
            #expect(tested.status == .conflict && tested.errorCode == "task_failed", "\(tested.status) \(tested.text)")
            #expect(!tested.text.contains("/srv/"), "the task's error names the key file: \(tested.text)")
            #expect(tested.text.contains("operator"), "\(tested.text)")
            let tasks = try await api.call(.get, "/api/v1/tasks", token: harness.token("viewer"))
            let failed = (tasks.object["items"] as? [[String: Any]] ?? []).first { $0["kind"] as? String == "test" }
            let error = try #require(failed?["error"] as? String, "\(tasks.text)")
            #expect(!error.contains("/srv/") && error.contains("operator") && error.contains("'Kept'"), "the task's error: \(error)")
        }
        // The operator reads where the key was looked for, and why it failed, in the service's log.
        #expect(base.logs.text.contains(keyPath), "the service's log does not name the key file")
        #expect(base.logs.text.contains("the master key could not be read again"))
    }

    @Test("a repository failure is answered 500 storage_failed without its reason (which may name the database's file); the log has the reason")
    func storageFailureWording() async throws {
        let path = "/var/lib/qlik-connector-\(UUID().uuidString)/repository.sqlite"
        let mapped = APIError.from(RepositoryError.storage(reason: "cannot open \(path): disk I/O error"))
        #expect(mapped.status == .internalServerError && mapped.code == "storage_failed")
        #expect(!mapped.message.contains(path) && mapped.message.contains("operator"), "\(mapped.message)")
        #expect(mapped.detail?.contains(path) == true, "the operator's detail is kept for the log")
    }
}
