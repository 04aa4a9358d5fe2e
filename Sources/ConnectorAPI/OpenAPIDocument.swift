public import Foundation

/// The API's description as the service serves it at `/openapi.json`: the JSON form of `openapi.yaml` beside this file,
/// the one source. `scripts/openapi/json-from-yaml` writes the JSON; ServiceTests.APIDocumentSourceTests checks that the
/// two match and that the routes and the document agree both ways.
public enum OpenAPIDocument {
    /// The document's bytes, read once.
    public static func json() throws(OpenAPIDocumentUnavailable) -> Data { try loaded.get() }

    private static let loaded: Result<Data, OpenAPIDocumentUnavailable> = {
        let candidates = resourceFolders.map { $0.appendingPathComponent("openapi.json") }
        for url in candidates where FileManager.default.fileExists(atPath: url.path) {
            do { return .success(try Data(contentsOf: url)) } catch {
                return .failure(OpenAPIDocumentUnavailable("\(url.path) cannot be read: \(error.localizedDescription)"))
            }
        }
        return .failure(OpenAPIDocumentUnavailable("openapi.json is in none of \(candidates.map(\.path).joined(separator: ", ")): "
            + "install QlikConnector_ConnectorAPI.resources beside the qlik-connector executable, as swift build leaves it."))
    }()

    /// The bundle SwiftPM puts beside the executable (or test bundle), else the sources themselves. Looked up by hand
    /// because SwiftPM's `Bundle.module` stops the process when the bundle is missing; the service should answer without it.
    private static var resourceFolders: [URL] {
        let bundleName = "QlikConnector_ConnectorAPI.resources"
        let beside = [Bundle.main.bundleURL, Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        return beside.map { $0.appendingPathComponent(bundleName) } + [URL(fileURLWithPath: #filePath).deletingLastPathComponent()]
    }
}

/// The served document could not be found or read: says where it was looked for.
public struct OpenAPIDocumentUnavailable: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) { self.description = description }
}
