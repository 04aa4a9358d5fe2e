import ArgumentParser
import Connector
import Foundation
import QlikCloudAPI
import QlikConnections

/// The connection a data command works through, and how to reach its tenant.
struct ConnectionOptions: ParsableArguments {
    @Argument(help: "Connection Name (any case).") var connection: String
    @Option(help: "PEM file of extra CA certificates to trust (a corporate proxy's root), for a task run on the serverless environment.") var caBundle: String?
    @Option(name: .customLong("agent-wait"), help: ArgumentHelp(
        "Seconds to wait for a Secure Agent to finish the task, when the connection runs on one (default: 300, and only while an agent of "
            + "the group is available; given, the task is queued and waited for even when none is).", valueName: "seconds"))
    var agentWait: Int?

    func validate() throws {
        if let agentWait, !(1...86_400).contains(agentWait) { throw ValidationError("--agent-wait takes 1 to 86400 seconds.") }
    }

    /// The operation as a task on the connection's runtime environment.
    func taskRun(_ workspace: Workspace, progress: (@Sendable (TableExport.Progress) -> Void)? = nil) -> ConnectionTaskRun {
        ConnectionTaskRun(workspace: workspace, connectionName: connection, settings: TransportSettings(caBundlePath: caBundle), agentWait: agentWait,
                          progress: progress)
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
            Terminal.current.errorText(String(format: "\r%@ [%@] %3.0f%% %d/%d rows, %.0f rows/s, ETA %@ ", label, bar, share * 100, rows, total, rate, eta))
            if rows == total { Terminal.current.errorText("\n") }
        } else {
            Terminal.current.errorText(String(format: "%@: %d of %d rows (%.0f%%), %.0f rows/s, ETA %@\n", label, rows, total, share * 100, rate, eta))
        }
    }
}

import Synchronization
