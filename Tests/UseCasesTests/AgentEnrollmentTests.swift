import Foundation
import QlikConnections
import Repository
import Testing
import TestRepositories
import UseCases

@Suite("Creating a Secure Agent: its token shown once and kept as a hash; the serverless environment and bad names refused as invalid")
struct AgentEnrollmentTests {
    @Test("an agent of a group gets a qca_ token that finds it by its hash", arguments: RepositoryBackend.allCases)
    func createsWithToken(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let (agent, token) = try await AgentEnrollment(agents: fixture.repository).create(named: " eu-1 ", in: fixture.agents, by: fixture.actor)
        #expect(agent.name == "eu-1" && token.hasPrefix("qca_") && token.count == 4 + 43)
        #expect(try await fixture.repository.agent(forTokenHash: try OpaqueToken(token, as: .agent).hash)?.id == agent.id)
    }

    @Test("the serverless environment has no agents: refused as invalid, naming the field, nothing stored", arguments: RepositoryBackend.allCases)
    func serverlessRefused(_ backend: RepositoryBackend) async throws {
        let fixture = try await TaskFixture(backend)
        let error = await #expect(throws: UseCaseError.self) {
            try await AgentEnrollment(agents: fixture.repository).create(named: "x", in: fixture.serverless, by: fixture.actor)
        }
        #expect(error?.kind == .invalid && error?.field == "name" && error?.isRequestFault == true)
        #expect(error?.message == "'Serverless' is the serverless environment: its tasks run inside the service, not on agents.")
        #expect(try await fixture.repository.agents(of: fixture.organization.id).isEmpty)
    }

    @Test("a name with other characters, or none, is refused as invalid")
    func badNameRefused() {
        for name in ["bad name!", "   ", String(repeating: "a", count: 101)] {
            #expect(throws: UseCaseError.invalid("name", "An agent name takes 1 to 100 letters, digits, - _ and .; '\(name)' does not fit.")) {
                try AgentEnrollment.checkedName(name)
            }
        }
    }
}
