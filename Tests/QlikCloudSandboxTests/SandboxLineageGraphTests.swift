import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox lineage-graphs: Qlik's lineage and impact graphs from what load scripts read")
struct SandboxLineageGraphTests {
    static func analysis(_ sandbox: QlikCloudSandbox) async throws -> (app: String, customers: String) {
        let app = try #require(await sandbox.appID(named: "Sales Analysis"))
        let file = try #require(await sandbox.tenant.dataFiles.first { $0.name == "customers.csv" })
        return (app, LineageGraph.datasetQRI(fileID: file.id, spaceID: file.spaceID, ownerID: file.ownerID))
    }

    @Test("a script's sources name each table's file and which column each field is loaded from, AS renames included")
    func scriptSources() throws {
        let files: [String: String] = ["a.csv": "id,Name\n1,x\n", "b.csv": "id,Name\n2,y\n"]
        let script = """
            T: LOAD id, Name AS Label FROM [lib://DataFiles/a.csv];
            LOAD id, Name AS Label FROM [lib://DataFiles/b.csv];
            Tmp: LOAD * INLINE [k
            1];
            DROP TABLE Tmp;
            """
        let sources = try LoadScript(dataFile: { files[$0.name].map { Array($0.utf8) } }).sources(script).get()
        #expect(sources.map(\.table) == ["T", "T"])
        #expect(sources.map { $0.file?.name } == ["a.csv", "b.csv"])
        #expect(sources[0].fields == [.init(name: "id", column: "id"), .init(name: "Label", column: "Name")])
    }

    @Test("field level: each app field has an edge from the data-file column it is loaded from")
    func fieldLevel() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let (app, customers) = try await Self.analysis(sandbox)
        try await sandbox.application().test(.router) { client in
            let answer = try await client.call(.get, "/api/v1/lineage-graphs/nodes/\(LineageGraph.appQRI(app).segment)?level=field", key: key)
            #expect(answer.status == .ok)
            let graph = try #require(try answer.object()["graph"] as? [String: Any])
            let edges = try #require(graph["edges"] as? [[String: Any]]).map { ($0["source"] as? String ?? "", $0["target"] as? String ?? "") }
            let appField = LineageGraph.child(LineageGraph.child(LineageGraph.appQRI(app), "Customers"), "Customer")
            let column = LineageGraph.child(LineageGraph.child(customers, "customers"), "CustomerName")
            #expect(edges.contains { $0 == (column, appField) })
            let nodes = try #require(graph["nodes"] as? [String: [String: Any]])
            #expect((nodes[appField]?["metadata"] as? [String: Any])?["type"] as? String == "FIELD")
            #expect(nodes[column]?["label"] as? String == "CustomerName")
        }
    }

    @Test("level=all answers a graph per level; the resource level has an edge from each data file to the app")
    func allLevels() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let (app, customers) = try await Self.analysis(sandbox)
        try await sandbox.application().test(.router) { client in
            let answer = try await client.call(.get, "/api/v1/lineage-graphs/nodes/\(LineageGraph.appQRI(app).segment)?level=all", key: key)
            let graphs = try #require((try answer.object()["graphs"] as? [String: Any])?["graphs"] as? [[String: Any]])
            #expect(graphs.count == 3)
            let resourceEdges = try #require(graphs[0]["edges"] as? [[String: Any]])
            #expect(resourceEdges.contains { $0["source"] as? String == customers && $0["target"] as? String == LineageGraph.appQRI(app) })
            #expect(resourceEdges.count == 3)
        }
    }

    @Test("expanding an app table gives its fields and their edges")
    func expand() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let (app, _) = try await Self.analysis(sandbox)
        let table = LineageGraph.child(LineageGraph.appQRI(app), "Customers")
        try await sandbox.application().test(.router) { client in
            let uri = "/api/v1/lineage-graphs/nodes/\(LineageGraph.appQRI(app).segment)/actions/expand?level=field&node=\(table.segment)"
            let graph = try #require(try await client.call(.get, uri, key: key).object()["graph"] as? [String: Any])
            let labels = Set(try #require(graph["nodes"] as? [String: [String: Any]]).values.compactMap { $0["label"] as? String })
            #expect(labels == ["CustomerID", "Customer", "Country", "City", "Segment", "CustomerSince"])
            #expect((graph["edges"] as? [[String: Any]])?.count == 6)
        }
    }

    @Test("a data file's impact overview names the apps that load it, with how many of their tables and fields")
    func impact() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let (app, customers) = try await Self.analysis(sandbox)
        try await sandbox.application().test(.router) { client in
            let answer = try await client.call(.get, "/api/v1/lineage-graphs/impact/\(customers.segment)/overview", key: key)
            let nodes = try #require((try answer.object()["graph"] as? [String: Any])?["nodes"] as? [String: [String: Any]])
            let metadata = try #require(nodes[LineageGraph.appQRI(app)]?["metadata"] as? [String: Any])
            #expect(metadata["tables"] as? Int == 1)
            #expect(metadata["fields"] as? Int == 6)
            #expect(nodes[customers] == nil)
        }
    }

    @Test("the overview of a field names the table and resource its data comes from")
    func overview() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let (app, customers) = try await Self.analysis(sandbox)
        let field = LineageGraph.child(LineageGraph.child(LineageGraph.appQRI(app), "Customers"), "Customer")
        try await sandbox.application().test(.router) { client in
            let answer = try await client.call(.post, "/api/v1/lineage-graphs/nodes/\(LineageGraph.appQRI(app).segment)/overview", key: key,
                                               json: "[\"\(field)\"]")
            let resources = try #require(try answer.object()["resources"] as? [[String: Any]])
            let lineage = try #require(resources.first?["lineage"] as? [[String: Any]])
            #expect(lineage.first?["resourceQRI"] as? String == customers)
            #expect(lineage.first?["tableLabel"] as? String == "customers")
        }
    }

    @Test("an unknown QRI is 404 and a level that does not exist is 400, in Qlik's error shape")
    func errors() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let key = sandbox.credentials(port: 0).apiKey
        let (app, _) = try await Self.analysis(sandbox)
        try await sandbox.application().test(.router) { client in
            let missing = try await client.call(.get, "/api/v1/lineage-graphs/nodes/\("qri:app:sense://nope".segment)", key: key)
            #expect(missing.status == .notFound)
            #expect(try Wire.firstError(missing.body)["code"] as? String == "HTTP-404")
            let bad = try await client.call(.get, "/api/v1/lineage-graphs/nodes/\(LineageGraph.appQRI(app).segment)?level=sheet", key: key)
            #expect(bad.status == .badRequest)
        }
    }
}
