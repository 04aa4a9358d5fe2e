import Foundation
import Testing

/// The command library knows no HTTP server: `serve` reaches the service only through ServiceLauncher, which the
/// executable implements. Read from the sources, so an `import Service` or `import Hummingbird` fails here even while
/// Package.swift would still allow it.
@Suite struct CommandLibraryImportsTests {
    static let forbidden = ["Service", "Hummingbird"]

    /// Module names a file imports, including `@testable`, access-level and `import struct Module.Type` forms.
    static func importedModules(_ source: String) throws -> [String] {
        let pattern = #/^\s*(?:@\w+\s+)*(?:(?:public|package|internal|fileprivate|private)\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_][A-Za-z0-9_]*)/#
        return source.split(separator: "\n").compactMap { line in line.firstMatch(of: pattern).map { String($0.output.1) } }
    }

    static func isForbidden(_ module: String) -> Bool {
        module == "Service" || module.hasPrefix("Hummingbird")
    }

    @Test("No file of Sources/QlikConnectorCLI imports Service or a Hummingbird module")
    func commandLibraryImportsNoService() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/QlikConnectorCLI")
        let files = try FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil).filter { $0.pathExtension == "swift" }
        #expect(files.count > 10, "expected the command library's sources in \(folder.path)")
        var offenders: [String] = []
        for file in files {
            let modules = try Self.importedModules(String(contentsOf: file, encoding: .utf8))
            offenders += modules.filter(Self.isForbidden).map { "\(file.lastPathComponent) imports \($0)" }
        }
        #expect(offenders.isEmpty, "the command library must not import Service or Hummingbird: \(offenders)")
    }

    @Test("The import check sees every form of import and lets ServiceLifecycle through")
    func checkSeesEveryForm() throws {
        let source = "import Service\n@testable import HummingbirdCore\npublic import struct Service.ConnectorService\nimport ServiceLifecycle\n"
        #expect(try Self.importedModules(source).filter(Self.isForbidden) == ["Service", "HummingbirdCore", "Service"])
    }
}
