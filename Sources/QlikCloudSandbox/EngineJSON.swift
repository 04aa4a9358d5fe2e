import Foundation

/// The JSON values of engine messages as they are held in Swift (`[String: Any]`, `[Any]`, String, Int, Double,
/// Bool, NSNull, NSNumber from parsed requests, ``RawJSON`` spliced in): their kind, equality and a plain form,
/// for the schema check and the delta protocol, which both compare values.
enum EngineJSON {
    enum Kind: String {
        case null, boolean, number, string, array, object
    }

    static func kind(_ value: Any) -> Kind {
        // Exact dynamic types first: on Linux an NSNumber also casts to Int and Bool, so `is` alone cannot tell them apart.
        let dynamicType = type(of: value)
        if value is String { return .string }
        if dynamicType == Bool.self { return .boolean }
        if dynamicType == Int.self || dynamicType == Double.self || dynamicType == Int64.self || dynamicType == Float.self { return .number }
        if let number = value as? NSNumber {
            // Parsed JSON hands booleans and numbers over as NSNumber; its type code tells them apart.
            return ["c", "B"].contains(String(cString: number.objCType)) ? .boolean : .number
        }
        if value is [Any] { return .array }
        if value is [String: Any] { return .object }
        return .null
    }

    /// The value with every ``RawJSON`` parsed, so it can be walked and compared.
    static func plain(_ value: Any) -> Any {
        switch value {
        case let raw as RawJSON:
            return (try? JSONSerialization.jsonObject(with: Data(buffer: raw.buffer), options: [.fragmentsAllowed])) ?? NSNull()
        case let array as [Any]: return array.map(plain)
        case let object as [String: Any]: return object.mapValues(plain)
        default: return value
        }
    }

    static func equal(_ left: Any, _ right: Any) -> Bool {
        let kind = kind(left)
        guard kind == self.kind(right) else { return false }
        switch kind {
        case .null: return true
        case .boolean: return (left as? Bool) == (right as? Bool)
        case .number: return number(left) == number(right)
        case .string: return (left as? String) == (right as? String)
        case .array:
            guard let left = left as? [Any], let right = right as? [Any], left.count == right.count else { return false }
            return zip(left, right).allSatisfy { equal($0, $1) }
        case .object:
            guard let left = left as? [String: Any], let right = right as? [String: Any], left.count == right.count else { return false }
            return left.allSatisfy { key, value in right[key].map { equal(value, $0) } ?? false }
        }
    }

    static func number(_ value: Any) -> Double? {
        switch value {
        case let int as Int: Double(int)
        case let double as Double: double
        case let number as NSNumber: number.doubleValue
        default: nil
        }
    }
}
