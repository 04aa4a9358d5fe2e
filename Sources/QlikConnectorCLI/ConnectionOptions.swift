import ArgumentParser
import Foundation
import QlikCloudAPI
import QlikConnections

/// The connection a data command works through, and how to reach its tenant.
struct ConnectionOptions: ParsableArguments {
    @Argument(help: "Connection Name (any case).") var connection: String
    @Option(help: "PEM file of extra CA certificates to trust (a corporate proxy's root).") var caBundle: String?

    /// A client for the connection's tenant, its credentials unsealed in memory only.
    func client(_ workspace: Workspace) async throws -> QlikCloudClient {
        let organization = try await workspace.organization()
        let stored = try await workspace.repository.connection(named: connection, in: organization.id)
        let authentication = try await ConnectionCommand.resolve(stored, workspace: workspace)
        return try QlikCloudClient.make(tenant: stored.authentication.baseURL, authentication: authentication,
                                        settings: TransportSettings(caBundlePath: caBundle))
    }
}

/// Progress on standard error: a bar on a terminal, plain lines otherwise.
final class ProgressPrinter: Sendable {
    let label: String
    let terminal = isatty(STDERR_FILENO) == 1
    private let last = Mutex<(ContinuousClock.Instant, Int)>((ContinuousClock.now, -1))

    init(label: String) { self.label = label }

    func show(rows: Int, total: Int, elapsed: Duration) {
        let seconds = max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let rate = Double(rows) / seconds
        let share = total > 0 ? min(1, Double(rows) / Double(total)) : 0
        let now = ContinuousClock.now
        let due = last.withLock { state -> Bool in
            // A bar redraws at most ten times a second; plain lines every 10% or 5 seconds.
            let percent = Int(share * 10)
            let wait: Duration = terminal ? .milliseconds(100) : .seconds(5)
            guard now - state.0 >= wait || (!terminal && percent != state.1) || rows == total else { return false }
            state = (now, percent)
            return true
        }
        guard due else { return }
        let eta = rate > 0 && total > rows ? String(format: "%.0f s", Double(total - rows) / rate) : "0 s"
        if terminal {
            let width = 30, filled = Int(share * Double(width))
            let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
            FileHandle.standardError.write(Data(String(format: "\r%@ [%@] %3.0f%% %d/%d rows, %.0f rows/s, ETA %@ ", label, bar, share * 100, rows, total, rate, eta).utf8))
            if rows == total { FileHandle.standardError.write(Data("\n".utf8)) }
        } else {
            FileHandle.standardError.write(Data(String(format: "%@: %d of %d rows (%.0f%%), %.0f rows/s, ETA %@\n", label, rows, total, share * 100, rate, eta).utf8))
        }
    }
}

import Synchronization
