import Connector
public import Foundation
public import QlikConnections

/// A task's result that does not read as what its kind gives: what was wrong, where, and the shape expected.
public struct MalformedTaskResult: Error, Sendable, Equatable, CustomStringConvertible {
    public let kind: TaskKind
    /// What was wrong, and where in the result.
    public let problem: String

    public var description: String {
        "The agent's result for a \(TaskResultCheck.title(kind)) task did not decode: \(problem), expected \(TaskResultCheck.shape(kind))."
    }
}

/// Checks a task's result against its kind's result type before it is kept or used: an agent's answer is input like any
/// request body, and a result that does not decode fails its task saying why instead of breaking whoever reads it.
public enum TaskResultCheck {
    /// Nil when `result` is what a `kind` task that ended so gives: its kind's result (a Test Connection report, a catalog,
    /// a read's, write's or reload's summary), or for a failed task none, or (data tasks) whether the input was at fault.
    public static func problem(with result: Data?, of kind: TaskKind, succeeded: Bool) -> MalformedTaskResult? {
        guard let result else {
            // A failed task may say why in its error alone (no connection, no credentials); one that succeeded has its result to give.
            return succeeded && kind != .noop ? MalformedTaskResult(kind: kind, problem: "no result was sent") : nil
        }
        guard kind != .noop else { return MalformedTaskResult(kind: kind, problem: "a result was sent (\(result.count) bytes)") }
        let primary: MalformedTaskResult?
        switch kind {
        case .test: primary = decodes(ConnectionTestReport.self, result, kind)
        case .discover: primary = decodes(Catalog.self, result, kind)
        case .read: primary = decodes(ReadResult.self, result, kind)
        case .write: primary = decodes(WriteResult.self, result, kind)
        case .reload: primary = decodes(ReloadResult.self, result, kind)
        case .noop: primary = nil
        }
        guard let primary else { return nil }
        // A data task that stopped on an error says only whether its input was at fault.
        if !succeeded, kind != .test, decodes(TaskFailureResult.self, result, kind) == nil { return nil }
        return primary
    }

    /// The stored result as `T`, or why it cannot be: for reading back what a task kept.
    public static func decode<T: Decodable>(_ type: T.Type, from result: Data, of kind: TaskKind) throws(MalformedTaskResult) -> T {
        do {
            return try TaskResults.decode(type, from: result)
        } catch let error as DecodingError {
            throw MalformedTaskResult(kind: kind, problem: describe(error))
        } catch {
            throw MalformedTaskResult(kind: kind, problem: "it could not be read (\(error))")
        }
    }

    private static func decodes<T: Decodable>(_ type: T.Type, _ result: Data, _ kind: TaskKind) -> MalformedTaskResult? {
        do {
            _ = try decode(type, from: result, of: kind)
            return nil
        } catch {
            return error
        }
    }

    /// Where the JSON broke and how, in a few words (the decoder's own text is bounded: it may quote the agent's values).
    static func describe(_ error: DecodingError) -> String {
        func at(_ path: [any CodingKey]) -> String {
            path.isEmpty ? "the result" : "'" + path.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".") + "'"
        }
        func named(_ type: Any.Type) -> String {
            let name = "\(type)"
            if name.hasPrefix("Dictionary") { return "a JSON object" }
            if name.hasPrefix("Array") { return "a JSON array" }
            return name
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "\(at(context.codingPath + [key])) is missing"
        case .typeMismatch(let type, let context):
            return "\(at(context.codingPath)) is not \(named(type))"
        case .valueNotFound(let type, let context):
            return "\(at(context.codingPath)) is null, not \(named(type))"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "it is not JSON" : "\(at(context.codingPath)) is not valid (\(context.debugDescription.prefix(200)))"
        @unknown default:
            return "it is not the JSON expected"
        }
    }

    /// The kind as people call it.
    public static func title(_ kind: TaskKind) -> String {
        switch kind {
        case .test: "Test Connection"
        case .discover: "Discover"
        case .read: "Read"
        case .write: "Write"
        case .reload: "Reload"
        case .noop: "No-op"
        }
    }

    /// The result a kind gives, as JSON, in brief.
    public static func shape(_ kind: TaskKind) -> String {
        let failure = #" (or, for a failed task, {"inputError": true|false} or no result)"#
        return switch kind {
        case .test:
            "a Test Connection report {startedAt (milliseconds since 1970), baseURL, authentication, "
                + "steps: [{name, verdict: passed|failed|skipped, milliseconds, detail, hint?}], identity?, milliseconds} (or, for a failed task, no result)"
        case .discover: "a catalog {tenant, spaces, apps, dataFiles, edges}" + failure
        case .read: "a read's summary {path, table, rows, fields, types, reconnects, mergedRows}" + failure
        case .write: "a write's summary {dataFile: {id, name, size}, format, replaced, throughTempContent, reloads}" + failure
        case .reload: "a reload {app, id, status, final, succeeded, log?}" + failure
        case .noop: "no result"
        }
    }
}
