import Logging
import Synchronization

/// A logger whose lines are kept in memory, to read what a worker said.
final class RecordedLog: Sendable {
    private let kept = Mutex<[String]>([])

    /// A logger writing here, at every level.
    var logger: Logger {
        Logger(label: "worker") { _ in Handler(recorded: self) }
    }

    /// Every line so far, each as its message then its metadata.
    var text: String { kept.withLock { $0.joined(separator: "\n") } }

    fileprivate func keep(_ line: String) { kept.withLock { $0.append(line) } }

    private struct Handler: LogHandler {
        let recorded: RecordedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            recorded.keep("\(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })")
        }
    }
}
