import QlikConnections
import Testing
import UseCases

@Suite("Passwords hashed with bcrypt off the cooperative pool")
struct PasswordHasherTests {
    @Test("a hash verifies its password and no other; no hash verifies nothing")
    func verifies() async throws {
        let hasher = PasswordHasher(cost: 4)
        let hash = await hasher.hash(try Password("correct horse battery"))
        #expect(await hasher.verify("correct horse battery", hash: hash))
        #expect(!(await hasher.verify("correct horse batterz", hash: hash)))
        #expect(!(await hasher.verify("correct horse battery", hash: nil)))
    }
}
