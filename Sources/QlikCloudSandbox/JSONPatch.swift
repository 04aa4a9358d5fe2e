import Foundation

/// The engine's `ApplyPatches`: JSON Patch operations (add, replace,
/// remove) on an object's properties, each value given as JSON text.
/// As RFC 6902 has it, replace and remove need their target to exist.
enum JSONPatch {
    static func applying(_ patches: [Any], to properties: JSONValue) throws -> JSONValue {
        var result = properties
        for (index, raw) in patches.enumerated() {
            guard let patch = raw as? [String: Any], let path = patch["qPath"] as? String, path.hasPrefix("/") else {
                throw EngineConversation.RPCError(code: 8, parameter: "qPatches[\(index)]",
                                             message: "Invalid parameters: each patch needs qOp (add, replace or remove) and a qPath starting with /")
            }
            let operation = (patch["qOp"] as? String)?.lowercased() ?? "add"
            var value: JSONValue?
            if operation != "remove" {
                let text = patch["qValue"] as? String ?? ""
                do {
                    value = JSONValue(any: try JSONSerialization.jsonObject(with: Data(text.utf8), options: .fragmentsAllowed))
                } catch {
                    throw EngineConversation.RPCError(code: 8, parameter: "qPatches[\(index)].qValue",
                                                 message: "Invalid parameters: qValue must be JSON text (a string value in quotes), got \(text.prefix(80))")
                }
            }
            let tokens = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
                .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
            guard ["add", "replace", "remove"].contains(operation),
                  let patched = apply(operation, tokens[...], value, to: result) else {
                throw EngineConversation.RPCError(code: 4, parameter: path, message: "Invalid path: \(operation) cannot apply at \(path)")
            }
            result = patched
        }
        return result
    }

    /// The document with one operation applied at the path; nil when the path does not lead anywhere.
    private static func apply(_ operation: String, _ path: ArraySlice<String>, _ value: JSONValue?, to document: JSONValue) -> JSONValue? {
        guard let key = path.first else { return operation == "remove" ? nil : value }
        let rest = path.dropFirst()
        switch document {
        case .object(var members):
            if rest.isEmpty {
                switch operation {
                case "remove": guard members.removeValue(forKey: key) != nil else { return nil }
                // RFC 6902: replace needs the target to exist; only add makes a member.
                case "replace": guard members[key] != nil else { return nil }; members[key] = value
                default: members[key] = value
                }
                return .object(members)
            }
            guard let child = members[key], let patched = apply(operation, rest, value, to: child) else { return nil }
            members[key] = patched
            return .object(members)
        case .array(var values):
            if rest.isEmpty {
                if key == "-", operation == "add", let value { values.append(value); return .array(values) }
                guard let index = Int(key) else { return nil }
                switch operation {
                case "add": guard (0...values.count).contains(index), let value else { return nil }; values.insert(value, at: index)
                case "replace": guard values.indices.contains(index), let value else { return nil }; values[index] = value
                default: guard values.indices.contains(index) else { return nil }; values.remove(at: index)
                }
                return .array(values)
            }
            guard let index = Int(key), values.indices.contains(index), let patched = apply(operation, rest, value, to: values[index]) else { return nil }
            values[index] = patched
            return .array(values)
        default:
            return nil
        }
    }
}
