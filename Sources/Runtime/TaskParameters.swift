public import Foundation
public import QlikCloudAPI
public import QlikConnections

/// Parameters a task of each kind takes, as they travel in its payload.
/// Checked when the task is queued (every mistake named at once) and again
/// where it runs, so a malformed task fails with the same words either way.
public struct TaskParameterError: Error, Sendable, CustomStringConvertible, Equatable {
    public let problems: [String]
    public init(_ problems: [String]) { self.problems = problems }
    public var description: String { problems.joined(separator: " ") }
}

/// `discover`: which part of the tenant to catalog. Patterns take * and ?.
public struct DiscoverParameters: Codable, Sendable, Equatable {
    public var space: String?
    /// shared, managed or data.
    public var spaceType: String?
    public var app: String?
    /// Apps read at once, one engine session each (8 when absent).
    public var concurrency: Int?
    /// One app at a time, one request in flight, as simple clients read: for comparison.
    public var sequential: Bool?

    public init(space: String? = nil, spaceType: String? = nil, app: String? = nil, concurrency: Int? = nil, sequential: Bool? = nil) {
        self.space = space
        self.spaceType = spaceType
        self.app = app
        self.concurrency = concurrency
        self.sequential = sequential
    }

    public func validate() throws(TaskParameterError) {
        var problems: [String] = []
        if let spaceType, !["shared", "managed", "data"].contains(spaceType) {
            problems.append("spaceType is '\(spaceType)'; expected shared, managed or data.")
        }
        if let concurrency, !(1...256).contains(concurrency) { problems.append("concurrency is \(concurrency); expected 1 to 256 apps at once.") }
        if !problems.isEmpty { throw TaskParameterError(problems) }
    }
}

/// `read`: an app's table, or a data file's rows, into a file on the runtime environment.
public struct ReadParameters: Codable, Sendable, Equatable {
    public var app: String?
    public var table: String?
    public var dataFile: String?
    /// Only these fields, in this order.
    public var fields: [String]?
    /// The output file on the runtime environment (inside its files directory).
    public var path: String
    /// csv, jsonl or qvd; from the path's extension when absent.
    public var format: String?
    /// Made before reading (`[{field, values}]`), each narrowing the others: only the associated rows are read.
    public var selections: [FieldSelection]?

    public init(app: String? = nil, table: String? = nil, dataFile: String? = nil, fields: [String]? = nil, path: String, format: String? = nil,
                selections: [FieldSelection]? = nil) {
        self.app = app
        self.table = table
        self.dataFile = dataFile
        self.fields = fields
        self.path = path
        self.format = format
        self.selections = selections
    }

    public func validate() throws(TaskParameterError) {
        var problems: [String] = []
        if (app == nil) == (dataFile == nil) { problems.append("Give app with table, or dataFile.") }
        if app != nil, table == nil { problems.append("app needs table.") }
        if dataFile != nil, table != nil { problems.append("table goes with app; a data file's rows are read whole.") }
        if path.isEmpty { problems.append("path is empty; expected the output file, ending in .csv, .jsonl or .qvd.") }
        if let format, !TaskFileFormat.readable.contains(format) {
            problems.append("format is '\(format)'; expected csv, jsonl or qvd.")
        } else if format == nil, TaskFileFormat.of(path).map(TaskFileFormat.readable.contains) != true {
            problems.append("\(path): the output must end in .csv, .jsonl or .qvd (or give format).")
        }
        if let fields, fields.isEmpty || fields.contains(where: \.isEmpty) { problems.append("fields must name at least one field, none empty.") }
        let selected = (selections ?? []).map(\.field)
        for field in Set(selected).sorted() where selected.count(where: { $0 == field }) > 1 {
            problems.append("selections select in '\(field)' more than once; give all its values in one selection.")
        }
        if !problems.isEmpty { throw TaskParameterError(problems) }
    }

    /// csv, jsonl or qvd.
    public var resolvedFormat: String { format ?? TaskFileFormat.of(path) ?? "csv" }
}

/// `write`: a file on the runtime environment uploaded as a data file, then apps reloaded.
public struct WriteParameters: Codable, Sendable, Equatable {
    /// The input file on the runtime environment (inside its files directory).
    public var path: String
    public var dataFile: String
    /// The space whose data files it joins (name or id); the personal space when absent.
    public var space: String?
    /// qvd or csv; from the data file's extension when absent, else qvd.
    public var format: String?
    /// create (refuse an existing file) or replace.
    public var mode: String
    /// Apps to reload afterwards (names or ids).
    public var reload: [String]
    /// Wait for the reloads to end.
    public var wait: Bool

    public init(path: String, dataFile: String, space: String? = nil, format: String? = nil, mode: String = "create", reload: [String] = [], wait: Bool = false) {
        self.path = path
        self.dataFile = dataFile
        self.space = space
        self.format = format
        self.mode = mode
        self.reload = reload
        self.wait = wait
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        path = try values.decode(String.self, forKey: .path)
        dataFile = try values.decode(String.self, forKey: .dataFile)
        space = try values.decodeIfPresent(String.self, forKey: .space)
        format = try values.decodeIfPresent(String.self, forKey: .format)
        mode = try values.decodeIfPresent(String.self, forKey: .mode) ?? "create"
        reload = try values.decodeIfPresent([String].self, forKey: .reload) ?? []
        wait = try values.decodeIfPresent(Bool.self, forKey: .wait) ?? false
    }

    public func validate() throws(TaskParameterError) {
        var problems: [String] = []
        if path.isEmpty { problems.append("path is empty; expected the input file (.csv, .jsonl or .qvd).") }
        if dataFile.isEmpty { problems.append("dataFile is empty; expected the data file's name.") }
        if !["create", "replace"].contains(mode) { problems.append("mode is '\(mode)'; expected create or replace.") }
        if let format, !["qvd", "csv"].contains(format) { problems.append("format is '\(format)'; expected qvd or csv.") }
        if reload.contains(where: \.isEmpty) { problems.append("reload names an empty app.") }
        if !problems.isEmpty { throw TaskParameterError(problems) }
    }

    /// qvd or csv.
    public var resolvedFormat: String { format ?? (dataFile.lowercased().hasSuffix(".csv") ? "csv" : "qvd") }
}

/// `reload`: one app, and whether to wait for the end.
public struct ReloadParameters: Codable, Sendable, Equatable {
    public var app: String
    public var wait: Bool

    public init(app: String, wait: Bool = false) {
        self.app = app
        self.wait = wait
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        app = try values.decode(String.self, forKey: .app)
        wait = try values.decodeIfPresent(Bool.self, forKey: .wait) ?? false
    }

    public func validate() throws(TaskParameterError) {
        if app.isEmpty { throw TaskParameterError(["app is empty; expected an app's name or id."]) }
    }
}

enum TaskFileFormat {
    static let readable: Set<String> = ["csv", "jsonl", "qvd"]

    static func of(_ path: String) -> String? {
        let ext = (path as NSString).pathExtension.lowercased()
        return readable.contains(ext) ? ext : nil
    }
}

/// A task's payload checked against its kind: the payload as it will be stored
/// (keys sorted), or every problem found.
public enum TaskPayloads {
    public static func checked(_ kind: TaskKind, _ parameters: Data) throws(TaskParameterError) -> Data {
        do {
            switch kind {
            case .test: return Data("{}".utf8)
            case .noop:
                let value = try TaskResults.decode(NoopPayload.self, from: parameters)
                guard (0...3_600_000).contains(value.milliseconds) else { throw TaskParameterError(["milliseconds takes 0 to 3600000."]) }
                return try TaskResults.encode(value)
            case .discover: return try normalized(DiscoverParameters.self, parameters)
            case .read: return try normalized(ReadParameters.self, parameters)
            case .write: return try normalized(WriteParameters.self, parameters)
            case .reload: return try normalized(ReloadParameters.self, parameters)
            }
        } catch let error as TaskParameterError {
            throw error
        } catch let error as FieldSelection.Invalid {
            throw TaskParameterError(["selections: \(error.description)"])
        } catch let DecodingError.keyNotFound(key, _) {
            throw TaskParameterError(["The \(kind.rawValue) parameters lack '\(key.stringValue)'."])
        } catch let DecodingError.typeMismatch(_, context) where !context.codingPath.isEmpty {
            // Array positions as [0], so 'selections[0].values' reads as the JSON it names.
            let path = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined().dropFirst()
            throw TaskParameterError(["The \(kind.rawValue) parameters' '\(path)' has the wrong type."])
        } catch {
            throw TaskParameterError(["The \(kind.rawValue) parameters are not a JSON object of the documented fields."])
        }
    }

    /// Decoded, checked and encoded again: the payload as it is stored.
    private static func normalized<T: CheckedTaskParameters>(_ type: T.Type, _ parameters: Data) throws -> Data {
        // A misspelt field must not be ignored: "feilds" would read every field, "Mode" would create instead of replace.
        if let object = try JSONSerialization.jsonObject(with: parameters) as? [String: Any] {
            let unknown = Set(object.keys).subtracting(T.fieldNames).sorted()
            if !unknown.isEmpty {
                throw TaskParameterError(["\(unknown.map { "'\($0)'" }.joined(separator: ", ")) \(unknown.count == 1 ? "is" : "are") not "
                    + "\(unknown.count == 1 ? "a parameter" : "parameters") here; expected \(T.fieldNames.sorted().joined(separator: ", "))."])
            }
        }
        let value = try TaskResults.decode(type, from: parameters)
        try value.validate()
        return try TaskResults.encode(value)
    }
}

/// Parameters that say what is wrong with them, and which fields they take.
protocol CheckedTaskParameters: Codable {
    static var fieldNames: Set<String> { get }
    func validate() throws(TaskParameterError)
}

extension DiscoverParameters: CheckedTaskParameters {
    static let fieldNames: Set<String> = ["space", "spaceType", "app", "concurrency", "sequential"]
}

extension ReadParameters: CheckedTaskParameters {
    static let fieldNames: Set<String> = ["app", "table", "dataFile", "fields", "path", "format", "selections"]
}

extension WriteParameters: CheckedTaskParameters {
    static let fieldNames: Set<String> = ["path", "dataFile", "space", "format", "mode", "reload", "wait"]
}

extension ReloadParameters: CheckedTaskParameters {
    static let fieldNames: Set<String> = ["app", "wait"]
}
