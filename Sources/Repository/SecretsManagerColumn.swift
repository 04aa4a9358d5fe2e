import Foundation
import QlikConnections

/// The secrets manager's coordinates, kept as a small JSON document.
enum SecretsManagerColumn {
    private struct Document: Codable {
        var kind: SecretsManagerKind
        var region: String?
        var endpoint: String?
        var address: String?
        var mount: String?
    }

    static func encode(_ settings: SecretsManagerSettings?) throws -> String? {
        guard let settings else { return nil }
        let document: Document
        switch settings.location {
        case .aws(let region, let endpoint): document = Document(kind: .awsSecretsManager, region: region, endpoint: endpoint)
        case .vault(let address, let mount): document = Document(kind: .hashiCorpVault, address: address, mount: mount)
        }
        return String(decoding: try JSONEncoder().encode(document), as: UTF8.self)
    }

    static func decode(_ text: String?) throws -> SecretsManagerSettings? {
        guard let text else { return nil }
        let document = try JSONDecoder().decode(Document.self, from: Data(text.utf8))
        switch document.kind {
        case .awsSecretsManager:
            return try .aws(region: document.region ?? "", endpoint: document.endpoint)
        case .hashiCorpVault:
            return try .vault(address: document.address ?? "", mount: document.mount ?? "secret")
        }
    }

    static func summary(_ settings: SecretsManagerSettings) -> String {
        switch settings.location {
        case .aws(let region, let endpoint): "aws region=\(region)" + (endpoint.map { " endpoint=\($0)" } ?? "")
        case .vault(let address, let mount): "vault address=\(address) mount=\(mount)"
        }
    }
}
