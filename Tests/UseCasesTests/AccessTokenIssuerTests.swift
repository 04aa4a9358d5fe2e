import Foundation
import QlikConnections
import Repository
import Testing
import TestRepositories
import UseCases

@Suite("Personal API tokens: the secret shown once, only its hash kept, name and expiry checked")
struct AccessTokenIssuerTests {
    @Test("an issued token finds its user by the secret's hash, under the trimmed name, with its expiry", arguments: RepositoryBackend.allCases)
    func issuedTokenFindsUser(_ backend: RepositoryBackend) async throws {
        let (repository, user) = try await Self.user(backend)
        let (token, secret) = try await AccessTokenIssuer.issue(for: user, name: " ci ", expiresInDays: 30, in: repository, by: AuditActor("test"))
        #expect(token.name == "ci" && token.prefix == String(secret.dropFirst(4).prefix(8)) && token.expiresAt != nil)
        #expect(try await repository.principal(forSecretHash: OpaqueToken(secret, as: .personal).hash, at: Date())?.0.id == user.id)
    }

    @Test("a blank name or an expiry outside 1 to 3650 days is refused, naming the field", arguments: RepositoryBackend.allCases)
    func badRequestRefused(_ backend: RepositoryBackend) async throws {
        let (repository, user) = try await Self.user(backend)
        let blank = await #expect(throws: UserValidationError.self) {
            try await AccessTokenIssuer.issue(for: user, name: "  ", in: repository, by: AuditActor("test"))
        }
        #expect(blank?.field == "name")
        let tooLong = await #expect(throws: UserValidationError.self) {
            try await AccessTokenIssuer.issue(for: user, name: "ci", expiresInDays: 3651, in: repository, by: AuditActor("test"))
        }
        #expect(tooLong?.field == "expiresInDays" && tooLong?.description.contains("expected 1 to 3650") == true)
        #expect(try await repository.accessTokens(of: user.id).isEmpty)
    }

    static func user(_ backend: RepositoryBackend) async throws -> (any ConnectorRepository, User) {
        let store = try await TestRepository.make(backend)
        let organization = Organization(name: try OrganizationName("Acme"))
        try await store.repository.createOrganization(organization, by: AuditActor("test"))
        let user = User(organizationID: organization.id, email: try EmailAddress("ada@acme.example"), displayName: "Ada", role: .designer)
        try await store.repository.createUser(user, passwordHash: nil, by: AuditActor("test"))
        return (store.repository, user)
    }
}
