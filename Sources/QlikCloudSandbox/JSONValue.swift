import Foundation

/// A JSON document held as a value: what an app keeps of its objects'
/// properties, which are free-form JSON in Qlik (clients add any keys), so
/// they persist with the tenant and convert to and from the `[String: Any]`
/// the engine's messages are made of.
enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// A value from what JSONSerialization (or a Swift literal) gives; anything else that is not JSON becomes null.
    init(any value: Any?) {
        switch value {
        case let text as String: self = .string(text)
        case let number as NSNumber:
            // Foundation hands JSON booleans and numbers over as NSNumber; its type code tells them apart.
            switch String(cString: number.objCType) {
            case "c", "B": self = .bool(number.boolValue)
            case "d", "f": self = .number(number.doubleValue)
            default: self = .integer(number.intValue)
            }
        case let object as [String: Any]: self = .object(object.mapValues { JSONValue(any: $0) })
        case let array as [Any]: self = .array(array.map { JSONValue(any: $0) })
        default: self = .null
        }
    }

    /// The value as the engine's message code reads it: dictionaries, arrays, strings, Int, Double, Bool and NSNull.
    var any: Any {
        switch self {
        case .null: NSNull()
        case .bool(let value): value
        case .integer(let value): value
        case .number(let value): value
        case .string(let value): value
        case .array(let values): values.map(\.any)
        case .object(let members): members.mapValues(\.any)
        }
    }

    /// JSON has one kind of number: 2 and 2.0 are equal (a saved 2.0 comes back as 2).
    static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.integer(let a), .integer(let b)): a == b
        case (.number(let a), .number(let b)): a == b
        case (.integer(let a), .number(let b)), (.number(let b), .integer(let a)): Double(a) == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)): a == b
        default: false
        }
    }

    /// The members of an object; empty for anything else.
    var members: [String: JSONValue] {
        if case .object(let members) = self { return members }
        return [:]
    }

    var dictionary: [String: Any] { members.mapValues(\.any) }

    subscript(key: String) -> JSONValue? { members[key] }

    var string: String? { if case .string(let value) = self { value } else { nil } }

    var bool: Bool? { if case .bool(let value) = self { value } else { nil } }

    /// The value a JSON Pointer (RFC 6901: `/qMetaDef/title`) names, as qData paths of Qlik's list definitions use them.
    func value(at pointer: String) -> JSONValue? {
        guard !pointer.isEmpty else { return self }
        guard pointer.hasPrefix("/") else { return nil }
        var current = self
        for token in pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false) {
            // Most tokens hold no escape; unescaping only those that do keeps the common lookup cheap.
            let key = token.contains("~") ? token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") : String(token)
            switch current {
            case .object(let members):
                guard let next = members[key] else { return nil }
                current = next
            case .array(let values):
                guard let index = Int(key), values.indices.contains(index) else { return nil }
                current = values[index]
            default:
                return nil
            }
        }
        return current
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int.self) { self = .integer(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let values): try container.encode(values)
        case .object(let members): try container.encode(members)
        }
    }
}
