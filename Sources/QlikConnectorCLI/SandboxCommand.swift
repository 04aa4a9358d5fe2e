import ArgumentParser
import Foundation
import QlikCloudSandbox

struct SandboxCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sandbox",
        abstract: "Run a local Qlik Cloud tenant (for tests and demos; no Qlik account needed).",
        discussion: "Prints its base URL, a ready API key and an OAuth client id and secret, then serves until stopped (Ctrl-C)."
    )

    @Option(help: "Port to listen on (0 picks a free one).") var port: Int = 9090
    @Option(help: "Address to listen on.") var host: String = "127.0.0.1"
    @Flag(help: "Print the credentials as one JSON line.") var json = false

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port takes 0 to 65535.") }
    }

    func run() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(host: host, port: port))
        let asJSON = json
        try await sandbox.run { credentials in
            let text: String
            if asJSON {
                text = #"{"baseURL":"\#(credentials.baseURL)","apiKey":"\#(credentials.apiKey)","clientID":"\#(credentials.clientID)","clientSecret":"\#(credentials.clientSecret)"}"# + "\n"
            } else {
                // These are the sandbox's own throwaway credentials, printed so a demo can use them.
                text = """
                    Qlik Cloud sandbox tenant at \(credentials.baseURL)
                    API key:             \(credentials.apiKey)
                    OAuth client id:     \(credentials.clientID)
                    OAuth client secret: \(credentials.clientSecret)
                    Stop with Ctrl-C.

                    """
            }
            // Unbuffered, so a script reading the output sees it while the sandbox keeps running.
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
