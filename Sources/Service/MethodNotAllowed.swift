import Foundation
import Hummingbird

/// The methods each documented path takes, read from the OpenAPI document:
/// a request to a known path with another method gets 405 and an `Allow`
/// header instead of 404 (RFC 9110, 15.5.6).
enum DocumentedPaths {
    private struct Template {
        /// Literal segments, or nil where the document has a `{parameter}`.
        let segments: [String?]
        let methods: [String]
    }

    private static let templates: [Template] = {
        guard let document = try? JSONSerialization.jsonObject(with: Data(OpenAPIDocument.json)) as? [String: Any],
              let paths = document["paths"] as? [String: Any] else {
            // The document is part of the program; the operations test parses it on every run.
            return []
        }
        let verbs = ["get", "put", "post", "delete", "patch", "head", "options"]
        return paths.compactMap { path, operations in
            guard let operations = operations as? [String: Any] else { return nil }
            let segments = path.split(separator: "/").map { $0.hasPrefix("{") ? nil : String($0) }
            return Template(segments: segments, methods: verbs.filter { operations[$0] != nil }.map { $0.uppercased() })
        }
    }()

    /// The methods the document gives for `path`, empty when it documents no such path.
    static func methods(for path: String) -> [String] {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        for template in templates where template.segments.count == parts.count {
            if zip(template.segments, parts).allSatisfy({ literal, part in literal == nil || literal == part }) { return template.methods }
        }
        return []
    }
}

extension APIError {
    /// A 405 for `method` on a documented path, or nil when the path is not documented.
    static func methodNotAllowed(_ request: Request) -> APIError? {
        let methods = DocumentedPaths.methods(for: request.uri.path)
        guard !methods.isEmpty, !methods.contains(request.method.rawValue) else { return nil }
        var error = APIError(.methodNotAllowed, code: "method_not_allowed",
                             "\(request.method.rawValue) is not an operation of \(request.uri.path); it takes \(methods.joined(separator: ", ")).")
        error.allowed = methods
        return error
    }
}
