import Foundation

/// Qlik's engine schema as the sandbox checks its traffic against it: per class and method the parameters
/// (names and order from enigma.js's `engine-api-12.x.json`) and results (names from it, types from Qlik's
/// TypeScript definitions in `engine-types.json`), and the structs those types name.
struct EngineSchema: Sendable {
    indirect enum TypeSpec: Sendable {
        case any, void, string, number, boolean, object
        /// A handle object (`qReturn` of OpenDoc, GetObject, ...): qType, qHandle, qGenericId.
        case handle
        case array(TypeSpec)
        case enumeration(Set<String>)
        case reference(String)
        case structure(properties: [String: TypeSpec], open: Bool)
    }

    struct Method: Sendable {
        let parameters: [(name: String, type: TypeSpec)]
        let outputs: [String]
        let returns: TypeSpec
        /// The types of a method's several results, by name (the d.ts gives such methods no result type).
        let outputTypes: [String: TypeSpec]
    }

    let classes: [String: [String: Method]]
    let definitions: [String: TypeSpec]

    /// Loaded once from the target's resources.
    static let shared: Result<EngineSchema, EngineSchemaError> = Result { () throws(EngineSchemaError) in try load() }

    static func load() throws(EngineSchemaError) -> EngineSchema {
        let names = try resource("engine-api-12.x")["structs"] as? [String: [String: [String: Any]]] ?? [:]
        let types = try resource("engine-types")
        let returns = types["methods"] as? [String: [String: Any]] ?? [:]
        let parameterTypes = types["parameters"] as? [String: [String: [Any]]] ?? [:]
        let outputTypes = types["outputs"] as? [String: [String: [String: Any]]] ?? [:]
        let definitions = (types["definitions"] as? [String: Any] ?? [:]).mapValues(spec)
        var classes: [String: [String: Method]] = [:]
        for (engineClass, methods) in names {
            for (name, method) in methods {
                let inputs = (method["In"] as? [[String: Any]] ?? []).map { $0["Name"] as? String ?? "" }
                let typesIn = parameterTypes[engineClass]?[name] ?? []
                classes[engineClass, default: [:]][name] = Method(
                    parameters: inputs.enumerated().map { ($0.element, $0.offset < typesIn.count ? spec(typesIn[$0.offset]) : .any) },
                    outputs: (method["Out"] as? [[String: Any]] ?? []).compactMap { $0["Name"] as? String },
                    returns: returns[engineClass]?[name].map(spec) ?? .any,
                    outputTypes: outputTypes[engineClass]?[name]?.mapValues(spec) ?? [:])
            }
        }
        return EngineSchema(classes: classes, definitions: definitions)
    }

    private static func resource(_ name: String) throws(EngineSchemaError) -> [String: Any] {
        let file = "EngineSchema/\(name).json"
        guard let url = resourceFolders.map({ $0.appendingPathComponent(file) }).first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw EngineSchemaError("Qlik's engine schema (\(file)) is not beside the executable: keep the QlikConnector_QlikCloudSandbox.resources folder the build makes next to it.")
        }
        do {
            guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
                throw EngineSchemaError("\(url.path) is not a JSON object.")
            }
            return object
        } catch let error as EngineSchemaError {
            throw error
        } catch {
            throw EngineSchemaError("\(url.path) cannot be read: \(error.localizedDescription)")
        }
    }

    /// Where the target's resources are: the bundle SwiftPM puts beside the executable (or test bundle), else the
    /// sources themselves. Looked up by hand because SwiftPM's `Bundle.module` stops the process when it is missing,
    /// and a sandbox copied without it should still answer (only unchecked, see ``EngineConversation``).
    private static var resourceFolders: [URL] {
        let bundleName = "QlikConnector_QlikCloudSandbox.resources"
        let beside = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        return beside.map { $0.appendingPathComponent(bundleName) } + [URL(fileURLWithPath: #filePath).deletingLastPathComponent()]
    }

    /// A type as engine-types.json writes it (scripts/engine-types).
    private static func spec(_ json: Any) -> TypeSpec {
        guard let json = json as? [String: Any] else { return .any }
        if let name = json["$ref"] as? String { return .reference(name) }
        if let values = json["enum"] as? [String] { return .enumeration(Set(values)) }
        if let properties = json["properties"] as? [String: Any] {
            return .structure(properties: properties.mapValues(spec), open: json["additionalProperties"] as? Bool ?? false)
        }
        switch json["type"] as? String {
        case "string": return .string
        case "number": return .number
        case "boolean": return .boolean
        case "object": return json["additionalProperties"] as? Bool == false ? .structure(properties: [:], open: false) : .object
        case "void": return .void
        case "handle": return .handle
        case "array": return .array(spec(json["items"] ?? [:]))
        default: return .any
        }
    }

    // MARK: Requests

    /// The first parameter whose value has another JSON type than the schema's, as the engine's -32602 naming it.
    func checkParameters(of engineClass: String, _ method: String, _ params: Params) throws(EngineConversation.RPCError) {
        guard let schema = classes[engineClass]?[method] else { return }
        for (index, parameter) in schema.parameters.enumerated() {
            guard let value = params.value(index, parameter.name), !(value is NSNull), let expected = kind(of: parameter.type) else { continue }
            let actual = EngineJSON.kind(value)
            guard actual != expected else { continue }
            throw EngineConversation.RPCError(code: -32602, parameter: parameter.name,
                message: "Invalid parameters: \(parameter.name) of \(method) is \(Self.article(actual.rawValue)), the schema wants \(Self.article(expected.rawValue))")
        }
    }

    /// The JSON type a parameter's value must have; nil where several are accepted (enums go by name or number).
    private func kind(of type: TypeSpec) -> EngineJSON.Kind? {
        switch type {
        case .string: .string
        case .number: .number
        case .boolean: .boolean
        case .object, .structure: .object
        case .array: .array
        case .reference(let name): definitions[name].flatMap(kind(of:))
        case .any, .void, .handle, .enumeration: nil
        }
    }

    // MARK: Answers

    /// What in `result` does not match the schema's definition of `engineClass.method`'s result, or nil when it all does.
    func problem(in result: [String: Any], of engineClass: String, _ method: String) -> String? {
        guard let schema = classes[engineClass]?[method] else {
            return "the schema's class \(engineClass) has no method \(method)"
        }
        var expected: [String: TypeSpec] = [:]
        var required: [String] = schema.outputs
        switch (schema.returns, schema.outputs.count) {
        case (.handle, _):
            // An object handle comes back as qReturn, beside any out parameter (CreateSessionApp's qSessionAppId).
            expected["qReturn"] = .handle
            required.append("qReturn")
        case (.void, 0):
            break
        case (let returns, 0):
            expected["qReturn"] = returns
            required.append("qReturn")
        case (let returns, 1):
            expected[schema.outputs[0]] = returns
        default:
            break
        }
        expected.merge(schema.outputTypes) { _, named in named }
        for name in required where result[name] == nil {
            return "the result has no \(name), which the schema requires"
        }
        let allowed = Set(required + ["qReturn"])
        for key in result.keys.sorted() {
            guard allowed.contains(key) else { return "the result has \(key), which the schema does not define (it defines \(required.isEmpty ? "no keys" : required.joined(separator: ", ")))" }
            guard let value = result[key], let type = expected[key] else { continue }
            if let problem = mismatch(value, type, path: key, depth: 0) { return problem }
        }
        return nil
    }

    /// Where `value` departs from `type`, as "path: what the schema wants, what was answered".
    func mismatch(_ value: Any, _ type: TypeSpec, path: String, depth: Int, structName: String? = nil) -> String? {
        let kind = EngineJSON.kind(value)
        func wrong(_ wanted: String) -> String { "\(path): the schema wants \(wanted), the answer has \(Self.describe(value, kind))" }
        switch type {
        case .any, .void: return nil
        case .string: return kind == .string ? nil : wrong("a string")
        case .boolean: return kind == .boolean ? nil : wrong("a boolean")
        case .number:
            // The engine writes numbers that are not finite as strings ("NaN" where a cell has no number).
            if kind == .number || ["NaN", "Infinity", "-Infinity"].contains(value as? String ?? "") { return nil }
            return wrong("a number")
        case .object: return kind == .object ? nil : wrong("an object")
        case .handle:
            guard let object = value as? [String: Any], EngineJSON.kind(object["qHandle"] ?? NSNull()) == .number,
                  EngineJSON.kind(object["qType"] ?? NSNull()) == .string else { return wrong("an object handle (qType, qHandle, qGenericId)") }
            return nil
        case .enumeration(let values):
            guard let text = value as? String, values.contains(text) else { return wrong("one of \(values.sorted().joined(separator: ", "))") }
            return nil
        case .array(let items):
            guard let array = value as? [Any] else { return wrong("an array") }
            for (index, element) in array.enumerated() {
                if let problem = mismatch(element, items, path: "\(path)/\(index)", depth: depth + 1) { return problem }
            }
            return nil
        case .reference(let name):
            // Recursive structs (a property tree's children) are followed as deep as an answer goes; the bound only stops a cycle.
            guard depth < 64, let definition = definitions[name] else { return nil }
            return mismatch(value, definition, path: path, depth: depth + 1, structName: name)
        case .structure(let properties, let open):
            guard let object = value as? [String: Any] else { return wrong("an object" + (structName.map { " (\($0))" } ?? "")) }
            for key in object.keys.sorted() {
                guard let property = properties[key] else {
                    if open { continue }
                    return "\(path)/\(key): \(structName ?? "the struct") has no property \(key) in the schema"
                }
                if let value = object[key], let problem = mismatch(value, property, path: "\(path)/\(key)", depth: depth + 1) { return problem }
            }
            return nil
        }
    }

    private static func describe(_ value: Any, _ kind: EngineJSON.Kind) -> String {
        switch kind {
        case .string: "the string \"\(String((value as? String ?? "").prefix(40)))\""
        case .number, .boolean: "\(kind.rawValue) \(value)"
        default: article(kind.rawValue)
        }
    }

    private static func article(_ word: String) -> String { (["a", "e", "i", "o", "u"].contains(word.prefix(1)) ? "an " : "a ") + word }
}

/// The schema the sandbox checks against could not be loaded.
struct EngineSchemaError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
