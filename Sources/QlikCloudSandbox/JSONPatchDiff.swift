import Foundation

/// The engine's delta protocol: a request with `"delta": true` is answered with JSON Patch arrays (RFC 6902)
/// that turn the previous result of the same call into the new one, as Qlik's engine answers enigma.js.
enum JSONPatchDiff {
    /// The operations that turn `old` into `new`; with no previous value, one operation that replaces the root ("/").
    static func patches(from old: Any?, to new: Any) -> [[String: Any]] {
        guard let old else { return [["op": "replace", "path": "/", "value": new]] }
        var operations: [[String: Any]] = []
        diff(old, new, path: "", into: &operations)
        return operations
    }

    private static func diff(_ old: Any, _ new: Any, path: String, into operations: inout [[String: Any]]) {
        if let old = old as? [String: Any], let new = new as? [String: Any] {
            for key in old.keys.sorted() where new[key] == nil {
                operations.append(["op": "remove", "path": path + "/" + escape(key)])
            }
            for key in new.keys.sorted() {
                guard let value = new[key] else { continue }
                if let previous = old[key] {
                    diff(previous, value, path: path + "/" + escape(key), into: &operations)
                } else {
                    operations.append(["op": "add", "path": path + "/" + escape(key), "value": value])
                }
            }
        } else if let old = old as? [Any], let new = new as? [Any] {
            let common = min(old.count, new.count)
            for index in 0..<common {
                diff(old[index], new[index], path: path + "/\(index)", into: &operations)
            }
            // Removed from the end backwards, so each index still names the element it meant when applied in order.
            for index in stride(from: old.count - 1, through: common, by: -1) {
                operations.append(["op": "remove", "path": path + "/\(index)"])
            }
            for index in common..<max(common, new.count) {
                operations.append(["op": "add", "path": path + "/\(index)", "value": new[index]])
            }
        } else if !EngineJSON.equal(old, new) {
            operations.append(["op": "replace", "path": path.isEmpty ? "/" : path, "value": new])
        }
    }

    /// A JSON Pointer token (RFC 6901): "~" and "/" escaped.
    private static func escape(_ key: String) -> String {
        key.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
    }
}
