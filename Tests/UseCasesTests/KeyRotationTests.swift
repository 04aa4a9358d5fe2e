import Foundation
import Repository
import Secrets
import Testing
import TestRepositories
import UseCases

@Suite("Rotating the master key: staged beside the managed key, committed in the repository, then swapped in; an interrupted rotation finished on the next load")
struct KeyRotationTests {
    @Test("the new key is staged, every credential re-sealed under it, then it replaces master.key and the old one is kept retired",
          arguments: RepositoryBackend.allCases)
    func stagedThenSwapped(_ backend: RepositoryBackend) async throws {
        let fixture = try await KeyFixture(backend)
        let keys = try await fixture.location.liveKeyring(agreeingWith: fixture.repository, logger: fixture.logger)
        _ = try await fixture.keepAWSCredentials(with: keys)
        let old = keys.current.active.id

        let outcome = try await KeyRotation.rotate(fixture.location, repository: fixture.repository, newKeyFile: nil, by: fixture.actor, logger: fixture.logger)

        #expect(outcome.resealed == 2 && outcome.previousKeyID == old && outcome.keyID != old)
        #expect(outcome.keyFile == fixture.keyPath && outcome.retiredKeyFile == fixture.location.retiredKeyPath(of: old))
        #expect(try MasterKeyFile.read(fixture.keyPath).id == outcome.keyID)
        #expect(try MasterKeyFile.read(fixture.location.retiredKeyPath(of: old)).id == old)
        #expect(!FileManager.default.fileExists(atPath: fixture.keyPath + ".next"), "the staged key is left behind")
        #expect(try await fixture.repository.activeMasterKeyID() == outcome.keyID)
        #expect(try await fixture.repository.secretsManagerCredentials(of: fixture.organization.id).values.allSatisfy { $0.keyID == outcome.keyID })
    }

    @Test("a stop after the repository switched but before the files were swapped is finished when the keys are next loaded",
          arguments: RepositoryBackend.allCases)
    func interruptedRotationFinished(_ backend: RepositoryBackend) async throws {
        let fixture = try await KeyFixture(backend)
        let old = try await fixture.location.keyring(agreeingWith: fixture.repository, logger: fixture.logger).active
        // What rotate does up to its commit: stage the new key, switch the repository to it; then it stops.
        let next = MasterKey.generate()
        try MasterKeyFile.create(next, at: fixture.keyPath + ".next")
        let both = Keyring(active: next, others: [old])
        _ = try await fixture.repository.rotateMasterKey(to: next.id, by: fixture.actor) { slot, sealed in try both.reseal(sealed, for: slot) }

        var notices: [MasterKeyLocation.Notice] = []
        let loaded = try await fixture.location.keyring(agreeingWith: fixture.repository, logger: fixture.logger) { notices.append($0) }

        #expect(loaded.active.id == next.id)
        #expect(notices == [.finishedInterruptedRotation(path: fixture.keyPath, keyID: next.id)])
        #expect(try MasterKeyFile.read(fixture.keyPath).id == next.id)
        #expect(FileManager.default.fileExists(atPath: fixture.location.retiredKeyPath(of: old.id)))
    }

    @Test("with a key file given and no new one, rotation is refused as invalid, naming --new-key-file, and nothing changes")
    func keyFileNeedsNewKeyFile() async throws {
        let fixture = try await KeyFixture(.sqlite)
        let folder = fixture.location.dataDirectory
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let key = MasterKey.generate()
        try MasterKeyFile.create(key, at: folder + "/given.key")
        let given = MasterKeyLocation(keyFile: folder + "/given.key", dataDirectory: folder, environment: [:])
        let error = await #expect(throws: UseCaseError.self) {
            try await KeyRotation.rotate(given, repository: fixture.repository, newKeyFile: nil, by: fixture.actor, logger: fixture.logger)
        }
        #expect(error?.kind == .invalid && error?.field == "new-key-file")
        #expect(try await fixture.repository.activeMasterKeyID() == key.id)
    }
}
