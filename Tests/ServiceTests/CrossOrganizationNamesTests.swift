import Foundation
import QlikConnections
import Repository
import Testing
import TestRepositories
@testable import Service

@Suite("Creating a user or renaming an organization tells nothing about other organizations")
struct CrossOrganizationNamesTests {
    static let otherAddress = "otherAdmin@other.example"

    @Test("an address used in another organization is a new, separate account here (201, as for any new address); the same address twice in one organization answers 409 duplicate_email",
          arguments: RepositoryBackend.allCases)
    func emailUniquePerOrganization(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let admin = harness.token("admin")
            // The attack: Acme's admin probes for Other's admin's address.
            let probe = try await api.call(.post, "/api/v1/users", token: admin, json: ["email": Self.otherAddress, "role": "viewer"])
            let fresh = try await api.call(.post, "/api/v1/users", token: admin, json: ["email": "nobody.yet@other.example", "role": "viewer"])
            #expect(probe.status == .created && fresh.status == .created, "\(probe.text)")
            #expect(probe.status == fresh.status && Set(probe.object.keys) == Set(fresh.object.keys), "the same answer as for an address nobody has")
            #expect(!probe.text.contains("Other") && !probe.text.contains("already"), "\(probe.text)")
            let created = try #require(probe.object["id"] as? String)
            #expect(created != harness.people["otherAdmin"]?.user.id.description)
            // Other's user is untouched; Acme has an account of its own.
            #expect(try await api.call(.get, "/api/v1/me", token: harness.token("otherAdmin")).object["id"] as? String == harness.people["otherAdmin"]?.user.id.description)
            let otherUsers = try await harness.repository.users(of: harness.other.id)
            #expect(otherUsers.count == 1 && otherUsers.first?.role == .admin)

            // In the organization itself a taken address is a clear error, in any letter case, on create and on change.
            for address in [Self.otherAddress, Self.otherAddress.uppercased(), "designer@acme.example"] {
                let again = try await api.call(.post, "/api/v1/users", token: admin, json: ["email": address, "role": "viewer"])
                #expect(again.status == .conflict && again.errorCode == "duplicate_email" && again.errorField == "email", "\(again.text)")
                #expect(again.text.contains("A user of this organization already has the e-mail address"), "\(again.text)")
            }
            let viewer = try #require(harness.people["viewer"]?.user.id)
            let taken = try await api.call(.patch, "/api/v1/users/\(viewer)", token: admin, json: ["email": "Designer@acme.example"])
            #expect(taken.status == .conflict && taken.errorCode == "duplicate_email", "\(taken.text)")
            let elsewhere = try await api.call(.patch, "/api/v1/users/\(viewer)", token: admin, json: ["email": "nobody.yet.either@other.example"])
            #expect(elsewhere.status == .ok, "\(elsewhere.text)")
        }
    }

    @Test("renaming an organization through the API answers the same 403 whether another organization has the name or not; a change of letter case is allowed",
          arguments: RepositoryBackend.allCases)
    func renameTellsNothing(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        try await harness.withClient { api in
            let admin = harness.token("admin")
            // The attack: Acme's admin probes for an organization called "Other".
            let taken = try await api.call(.patch, "/api/v1/organization", token: admin, json: ["name": "Other"])
            let free = try await api.call(.patch, "/api/v1/organization", token: admin, json: ["name": "Nobody Has This"])
            #expect(taken.status == .forbidden && taken.errorCode == "name_set_by_operator" && taken.errorField == "name", "\(taken.text)")
            #expect(taken.status == free.status && taken.text.replacingOccurrences(of: "'Other'", with: "'Nobody Has This'") == free.text,
                    "the answers differ only by the name asked: \(taken.text) / \(free.text)")
            #expect(!taken.text.contains("already"))
            #expect(try await harness.repository.organization(harness.acme.id).name.value == "Acme")
            let recased = try await api.call(.patch, "/api/v1/organization", token: admin, json: ["name": "ACME"])
            #expect(recased.status == .ok && recased.object["name"] as? String == "ACME", "\(recased.text)")
        }
    }
}
