import Foundation
import NIOCore

/// The port a server command (sandbox, serve) listens on.
enum ListeningPort {
    /// Runs the server in `body`; a port another process holds is said plainly, with the fix, instead of the socket call's error.
    static func serve(on port: Int, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw CLIError.failure("port \(port) is in use; pick another with --port or --port 0")
        }
    }
}
