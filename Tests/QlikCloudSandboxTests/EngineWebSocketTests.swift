import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import QVD
import Testing
@testable import QlikCloudSandbox

/// Collects the messages received over the socket, as text.
actor Replies {
    private(set) var texts: [String] = []
    func add(_ text: String) { texts.append(text) }

    /// The first message, and every reply by its id.
    static func parse(_ texts: [String]) throws -> (first: [String: Any]?, byID: [Int: [String: Any]]) {
        let objects = try texts.map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        var byID: [Int: [String: Any]] = [:]
        for object in objects { if let id = object["id"] as? Int { byID[id] = object } }
        return (objects.first, byID)
    }
}

@Suite("Sandbox engine over a real WebSocket")
struct EngineWebSocketTests {
    static let logger = Logger(label: "engine-test")

    @Test("OnConnected first, then pipelined requests all answered by id; a bad token is refused")
    func pipelined() async throws {
        let (sandbox, app) = try await EngineConversationTests.sandboxWithOrders()
        let replies = Replies()
        try await withLiveSandbox(sandbox) { credentials in
            let url = credentials.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/app/\(app.id)"
            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(credentials.apiKey)"]),
                                              logger: Self.logger) { inbound, outbound, _ in
                // Five requests in flight before any answer is read.
                let requests: [[String: Any]] = [
                    ["jsonrpc": "2.0", "id": 1, "handle": -1, "method": "OpenDoc", "params": [app.id]],
                    ["jsonrpc": "2.0", "id": 2, "handle": 1, "method": "GetTablesAndKeys", "params": [["qcx": 1000, "qcy": 1000], ["qcx": 0, "qcy": 0], 30, false, false]],
                    ["jsonrpc": "2.0", "id": 3, "handle": 1, "method": "GetTableData", "params": [0, 10, false, "Orders"]],
                    ["jsonrpc": "2.0", "id": 4, "handle": -1, "method": "EngineVersion", "params": [Any]()],
                    ["jsonrpc": "2.0", "id": 5, "handle": 1, "method": "Bogus", "params": [Any]()],
                ]
                for request in requests {
                    try await outbound.write(.text(String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)))
                }
                var received = 0
                for try await message in inbound.messages(maxSize: 1 << 24) {
                    guard case .text(let text) = message else { continue }
                    await replies.add(text)
                    received += 1
                    if received == 6 { break }
                }
            }
            // A wrong token never gets a session.
            await #expect(throws: (any Error).self) {
                try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer wrong"]),
                                                  logger: Self.logger) { _, _, _ in }
            }
        }
        let (first, byID) = try Replies.parse(await replies.texts)
        #expect(first?["method"] as? String == "OnConnected")
        #expect(Set(byID.keys) == [1, 2, 3, 4, 5])
        #expect(((byID[3]?["result"] as? [String: Any])?["qData"] as? [Any])?.count == 10)
        #expect((byID[5]?["error"] as? [String: Any])?["code"] as? Int == -32601)
    }

    @Test("a QVD written by pyqvd is uploaded, loaded by a reload, and read back through GetTableData unchanged",
          .enabled(if: QlikSDK.available, "the Python QVD libraries could not be installed"))
    func pyqvdRoundTrip() async throws {
        let python = try #require(QlikSDK.python)
        let directory = NSTemporaryDirectory() + "sbx-qvd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let spec: [String: Any] = ["table": "People", "fields": ["Id", "Name", "Score"], "rows": (0..<50).map { row -> [Any] in
            [["text": NSNull(), "number": row], ["text": "person \(row) ü", "number": NSNull()], row % 5 == 0 ? NSNull() : ["text": NSNull(), "number": Double(row) + 0.5]]
        }]
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: directory + "/spec.json"))
        let peer = URL(fileURLWithPath: QlikSDK.script).deletingLastPathComponent().appendingPathComponent("peer.py").path
        let write = try await runProcess(python, [peer, "write", "pyqvd", directory + "/people.qvd", directory + "/spec.json"])
        #expect(write.status == 0, "\(write.stderr)")
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: directory + "/people.qvd")))

        let sandbox = await QlikCloudSandbox.make()
        let app = try #require(await sandbox.tenant.apps.first)
        let user = sandbox.credentials(port: 0).userID
        _ = try await sandbox.tenant.addDataFile(name: "people.qvd", content: bytes, ownerID: user, connectionID: nil, large: false)
        _ = await sandbox.tenant.setScript(app.id, script: "People:\nLOAD * FROM [lib://DataFiles/people.qvd] (qvd);", message: "", userID: user)
        let reload = try await sandbox.tenant.queueReload(appID: app.id, userID: user, partial: false)
        let replies = Replies()
        try await withLiveSandbox(sandbox) { credentials in
            for _ in 0..<1000 where await sandbox.tenant.reload(reload.id)?.status != "SUCCEEDED" { try await Task.sleep(for: .milliseconds(10)) }
            let url = credentials.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/app/\(app.id)"
            try await WebSocketClient.connect(url: url, configuration: .init(additionalHeaders: [.authorization: "Bearer \(credentials.apiKey)"]),
                                              logger: Self.logger) { inbound, outbound, _ in
                for request: [String: Any] in [
                    ["jsonrpc": "2.0", "id": 1, "handle": -1, "method": "OpenDoc", "params": [app.id]],
                    ["jsonrpc": "2.0", "id": 2, "handle": 1, "method": "GetTableData", "params": [0, 100, false, "People"]],
                ] {
                    try await outbound.write(.text(String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)))
                }
                var count = 0
                for try await message in inbound.messages(maxSize: 1 << 24) {
                    guard case .text(let text) = message else { continue }
                    await replies.add(text)
                    count += 1
                    if count == 3 { break }
                }
            }
        }
        #expect(await sandbox.tenant.reload(reload.id)?.status == "SUCCEEDED")
        let byID = try Replies.parse(await replies.texts).byID
        let rows = try #require((byID[2]?["result"] as? [String: Any])?["qData"] as? [[String: Any]])
        #expect(rows.count == 50)
        for (index, row) in rows.enumerated() {
            let cells = try #require(row["qValue"] as? [[String: Any]])
            #expect(cells[0]["qNumber"] as? Double == Double(index))
            #expect(cells[1]["qText"] as? String == "person \(index) ü")
            // A null is what the schema's FieldValue can say: an empty text that is no number.
            if index % 5 == 0 { #expect(cells[2]["qIsNumeric"] as? Bool == false && cells[2]["qText"] as? String == "") } else { #expect(cells[2]["qNumber"] as? Double == Double(index) + 0.5) }
        }
    }
}
