@testable import Connector
import Foundation
import NIOCore
import QlikCloudAPI
@testable import QlikCloudSandbox
import Synchronization
import Testing
import TestTenants

/// The real transport, noting the path of every request sent.
private final class CountingTransport: HTTPTransport {
    let inner: AsyncHTTPTransport
    let paths = Mutex<[String]>([])
    init(inner: AsyncHTTPTransport) { self.inner = inner }

    func send(_ request: TransportRequest, maximumBodySize: Int) async throws(TransportFailure) -> TransportResponse {
        paths.withLock { $0.append(URLComponents(string: request.url)?.percentEncodedPath ?? request.url) }
        return try await inner.send(request, maximumBodySize: maximumBodySize)
    }

    func stream(_ request: TransportRequest, into sink: @Sendable (ByteBuffer) async throws -> Void) async throws(TransportFailure) -> TransportResponse {
        paths.withLock { $0.append(URLComponents(string: request.url)?.percentEncodedPath ?? request.url) }
        return try await inner.stream(request, into: sink)
    }

    func shutdown() async { await inner.shutdown() }
}

@Suite("discover asks the engine session it has open for what the engine knows, and REST only for what REST alone has")
struct DiscoverRESTRequestsTests {
    @Test("per app, one REST request (Qlik's lineage graph): tables, fields and script lineage come from the engine, the same as REST's data/metadata and script give")
    func oneRESTRequestPerApp() async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(tier1PerMinute: .max))
        let appID = try #require(await sandbox.appID(named: "Sales Analysis"))
        let (paths, entry, metadata, script) = try await withLiveSandbox(sandbox) { credentials in
            let tenant = try credentials.tenant
            let transport = CountingTransport(inner: try AsyncHTTPTransport(host: tenant.host, scheme: tenant.scheme, settings: directSettings))
            let client = QlikCloudClient(baseURL: tenant.description, tokens: APIKeyTokenProvider(apiKey: credentials.apiKey), transport: transport,
                                         settings: directSettings)
            let catalog = try await Catalog.discover(client, filter: Catalog.Filter(app: "Sales Analysis"))
            let paths = transport.paths.withLock { $0 }
            // What REST says of the same app, asked after the catalog so it is not counted.
            let metadata = try await client.dataModelMetadata(appID: appID)
            let script = try await client.script(appID: appID).script ?? ""
            await client.shutdown()
            return (paths, try #require(catalog.apps.first), metadata, script)
        }
        let appRequests = paths.filter { $0.contains(appID) }
        #expect(appRequests.count == 1 && appRequests.allSatisfy { $0.hasPrefix("/api/v1/lineage-graphs/nodes/") }, "\(paths)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let fromREST = Catalog.model(metadata)
        #expect(!entry.tables.isEmpty && !entry.fields.isEmpty)
        #expect(try encoder.encode(entry.tables) == encoder.encode(fromREST.tables))
        #expect(try encoder.encode(entry.fields) == encoder.encode(fromREST.fields))
        #expect(entry.lineage.reads == ScriptLineage(script: script).reads && !entry.lineage.reads.isEmpty)
    }
}
