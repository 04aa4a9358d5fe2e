import Foundation
import Testing
import TestCommandLine

extension CommandLineHarness {
    /// Starts `qlik-connector sandbox` seeded from `fixture` (whose first user holds the API key `key`) and defines
    /// organization Acme and an API-key connection "S" to it on `environment` (by default the serverless one, so its
    /// tasks run in the command itself; another name is created as a Secure Agent group). Stop the returned server when done.
    func sandboxConnection(fixture: String, key: String, sandboxArguments: [String] = [], on environment: String = "Serverless") async throws
        -> (server: Server, baseURL: String) {
        let path = try file("tenant.json", fixture)
        let server = try start(["sandbox", "--port", "0", "--json", "--fixture", path] + sandboxArguments)
        let line = try #require(await server.nextLine(), "the sandbox printed nothing")
        let baseURL = try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["baseURL"] as? String)
        try await succeed(["org", "create", "Acme"])
        try await succeed(["hosts", "allow", "127.0.0.1:*"])
        if environment != "Serverless" { try await succeed(["runtime-env", "create", environment]) }
        try await succeed(["connection", "create", "S", "--runtime-env", environment, "--auth", "api-key", "--base-url", baseURL,
                           "--access-token-from", "env:KEY"], environment: ["KEY": key])
        return (server, baseURL)
    }
}
