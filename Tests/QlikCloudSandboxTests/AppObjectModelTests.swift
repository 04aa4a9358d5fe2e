import Foundation
import Testing
@testable import QlikCloudSandbox

@Suite("Sandbox app object model: stored, persisted, seeded")
struct AppObjectModelTests {
    static func writeFixture(_ text: String) throws -> (directory: String, path: String) {
        let directory = try SandboxPersistenceTests.temporaryDirectory()
        let path = directory + "/fixture.json"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return (directory, path)
    }

    static func count(_ value: JSONValue) -> Int { if case .array(let values) = value { values.count } else { -1 } }

    @Test("JSONValue keeps JSON booleans, integers, decimals and nesting apart, to and from the engine's dictionaries")
    func jsonValue() throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(#"{"a":true,"b":1,"c":1.5,"d":[null,"x"],"e":{"f":0}}"#.utf8))
        let value = JSONValue(any: parsed)
        #expect(value == .object(["a": .bool(true), "b": .integer(1), "c": .number(1.5), "d": .array([.null, .string("x")]),
                                  "e": .object(["f": .integer(0)])]))
        let back = value.dictionary
        #expect(back["a"] as? Bool == true && back["b"] as? Int == 1 && back["c"] as? Double == 1.5)
        #expect(try JSONDecoder().decode(JSONValue.self, from: JSONEncoder().encode(value)) == value)
        #expect(value.value(at: "/e/f") == .integer(0) && value.value(at: "/d/1") == .string("x") && value.value(at: "/x") == nil)
    }

    @Test("an app's objects and properties come back after a restart under --data")
    func persistence() async throws {
        let directory = try SandboxPersistenceTests.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let first = try await QlikCloudSandbox.open(dataDirectory: directory)
        let app = try #require(await first.tenant.apps.first { $0.name == "Sales Analysis" })
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        await first.tenant.putAppObject(app.id, AppObject(properties: JSONValue(any: ["qInfo": ["qId": "new-sheet", "qType": "sheet"], "rank": 2.5]),
                                                          ownerID: "u", published: true, createdAt: now, modifiedAt: now))
        await first.tenant.setAppProperties(app.id, JSONValue(any: ["qThumbnail": ["qUrl": "/thumb.png"], "custom": 1]))
        let saved = try #require(await first.tenant.app(app.id)?.objects)
        #expect(saved.object("new-sheet")?.published == true)
        let second = try await QlikCloudSandbox.open(dataDirectory: directory)
        #expect(await second.tenant.app(app.id)?.objects == saved)
    }

    @Test("an app saved before apps held objects loads with none")
    func oldSnapshot() throws {
        let now = Date(timeIntervalSince1970: 0)
        var app = SandboxApp(sequence: 1, id: "a", itemID: "i", name: "Old", description: "", spaceID: nil, ownerID: "u", createdAt: now,
                             updatedAt: now, script: "")
        app.objects = DefaultAppContent.salesDashboard(ownerID: "u", now: now, model: DataModel())
        var json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder().encode(app)) as? [String: Any])
        #expect(json["objects"] != nil)
        json["objects"] = nil
        let decoded = try JSONDecoder().decode(SandboxApp.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.objects.items.isEmpty && decoded.name == "Old")
    }

    @Test("a fixture's app objects seed the app: parents get their children, bookmarks their selections, owners by email")
    func fixtureObjects() async throws {
        let (directory, path) = try Self.writeFixture(#"""
            {"users": [{"name": "Ada", "email": "ada@example.com"}, {"name": "Bob", "email": "bob@example.com"}],
             "apps": [{"name": "Orders", "appProperties": {"qThumbnail": {"qUrl": "/t.png"}},
                       "objects": [{"properties": {"qInfo": {"qId": "chart-1", "qType": "barchart"}}, "parent": "sheet-1"},
                                   {"properties": {"qInfo": {"qId": "sheet-1", "qType": "sheet"}, "qMetaDef": {"title": "Orders"}},
                                    "published": true, "owner": "bob@example.com"},
                                   {"properties": {"qInfo": {"qId": "bm-1", "qType": "bookmark"}}, "selections": {"Region": ["EU", "US"]}}]}]}
            """#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sandbox = try await QlikCloudSandbox.open(fixture: try SandboxFixture.load(path: path))
        let app = try #require(await sandbox.tenant.apps.first { $0.name == "Orders" })
        let bob = try #require(await sandbox.tenant.users.values.first { $0.email == "bob@example.com" })
        let sheet = try #require(app.objects.object("sheet-1"))
        #expect(sheet.childIDs == ["chart-1"] && sheet.published && sheet.ownerID == bob.id && sheet.title == "Orders")
        #expect(app.objects.object("bm-1")?.bookmarkSelections == [BookmarkSelection(field: "Region", values: ["EU", "US"])])
        #expect(app.objects.appProperties["qThumbnail"]?["qUrl"]?.string == "/t.png")
    }

    @Test("a bad fixture object is refused before seeding, naming the entry and what was expected",
          arguments: [
            (#"[{"properties": {"qMetaDef": {}}}]"#, "apps[0].objects[0].properties needs qInfo with a qId and a qType"),
            (#"[{"properties": {"qInfo": {"qId": "a", "qType": "sheet"}}}, {"properties": {"qInfo": {"qId": "a", "qType": "sheet"}}}]"#, "used twice"),
            (#"[{"properties": {"qInfo": {"qId": "a", "qType": "kpi"}}, "parent": "nowhere"}]"#, "'nowhere', which is not another object"),
            (#"[{"properties": {"qInfo": {"qId": "a", "qType": "sheet"}}, "selections": {"F": ["x"]}}]"#, "only for bookmarks"),
            (#"[{"properties": {"qInfo": {"qId": "a", "qType": "sheet"}}, "owner": "z@x"}]"#, "z@x, which is not a user"),
            (#"[{"properties": 3}]"#, "apps[0].objects[0].properties needs qInfo"),
          ])
    func badFixtureObjects(objects: String, expected: String) async throws {
        let (directory, path) = try Self.writeFixture(#"{"users": [{"name": "A", "email": "a@x"}], "apps": [{"name": "X", "objects": \#(objects)}]}"#)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let error = await #expect(throws: SandboxSetupError.self) {
            _ = try await QlikCloudSandbox.open(dataDirectory: directory + "/data", fixture: try SandboxFixture.load(path: path))
        }
        #expect(error?.description.contains(expected) == true, "\(error?.description ?? "")")
    }

    @Test("the default Sales Analysis app has master items, two sheets (one published) whose charts use them, variables, a bookmark and its own objects")
    func defaultContent() async throws {
        let sandbox = await QlikCloudSandbox.make()
        let analysis = try #require(await sandbox.tenant.apps.first { $0.name == "Sales Analysis" }?.objects)
        let types = analysis.items.map(\.type)
        #expect(types.filter { $0 == "dimension" }.count == 4 && types.filter { $0 == "measure" }.count == 3)
        #expect(types.filter { $0 == "variable" }.count == 2 && types.filter { $0 == "bookmark" }.count == 1)
        #expect(Set(types).isSuperset(of: ["barchart", "linechart", "table", "kpi", "piechart", "filterpane", "listbox", "appprops", "LoadModel"]))
        let sheets = analysis.items.filter { $0.type == "sheet" }
        #expect(sheets.map(\.published) == [true, false])
        let bar = try #require(analysis.object("bar-revenue-region"))
        #expect(bar.parentID == "sheet-overview" && MasterItems.references(in: bar.properties) == ["dim-region", "msr-revenue"])
        #expect(analysis.items.contains { $0.parentID != nil && MasterItems.references(in: $0.properties).isEmpty }, "some charts use fields directly")
        #expect(analysis.object("LoadModel")?.properties["tables"].map(Self.count) == 4)
        let dashboard = try #require(await sandbox.tenant.apps.first { $0.name == "Sales Dashboard" }?.objects)
        #expect(dashboard.items.contains { $0.type == "sheet" })
        #expect(await sandbox.tenant.apps.first { $0.name == "Personal Scratchpad" }?.objects.items.isEmpty == true)
    }
}
