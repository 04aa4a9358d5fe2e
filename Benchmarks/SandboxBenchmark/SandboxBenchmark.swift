import Foundation
import HummingbirdWSClient
import Logging
import NIOCore
import QlikCloudSandbox

/// `sandbox-benchmark hypercube ROWS PAGES`: a generated ROWS x 10 app, one
/// engine socket, PAGES GetHyperCubeData calls of 10,000 cells each (1,000
/// rows x 10 columns), timed end to end over loopback; prints cells/s.
/// `sandbox-benchmark serve`: a sandbox for wrk; prints its URL and API key.
@main
struct SandboxBenchmark {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        switch arguments.first {
        case "hypercube":
            try await hypercube(rows: Int(arguments.dropFirst().first ?? "") ?? 1_000_000, pages: Int(arguments.dropFirst(2).first ?? "") ?? 200)
        case "serve":
            let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0, tier1PerMinute: .max, tier2PerMinute: .max))
            try await sandbox.run { credentials in
                FileHandle.standardOutput.write(Data("\(credentials.baseURL) \(credentials.apiKey)\n".utf8))
            }
        default:
            FileHandle.standardError.write(Data("usage: sandbox-benchmark hypercube [ROWS] [PAGES] | serve\n".utf8))
            exit(2)
        }
    }

    static func hypercube(rows: Int, pages: Int) async throws {
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        let appID = await sandbox.addGeneratedApp(rows: rows)
        let (ready, continuation) = AsyncStream.makeStream(of: SandboxCredentials.self)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await sandbox.run { continuation.yield($0) } }
            var iterator = ready.makeAsyncIterator()
            guard let credentials = await iterator.next() else { return }
            let url = credentials.baseURL.replacingOccurrences(of: "http://", with: "ws://") + "/app/\(appID)"
            try await WebSocketClient.connect(url: url, configuration: .init(maxFrameSize: 1 << 26, additionalHeaders: [.authorization: "Bearer \(credentials.apiKey)"]),
                                              logger: Logger(label: "bench")) { inbound, outbound, _ in
                // Frames, not messages: the sandbox sends each reply as one frame, and the bytes are
                // counted without making a String, so the client costs as little as it can.
                var frames = inbound.makeAsyncIterator()
                func call(_ id: Int, _ handle: Int, _ method: String, _ params: String) async throws -> ByteBuffer {
                    try await outbound.write(.text(#"{"jsonrpc":"2.0","id":\#(id),"handle":\#(handle),"method":"\#(method)","params":\#(params)}"#))
                    while let frame = try await frames.next() {
                        // The sandbox writes keys sorted, so a reply starts with its id: no scan of the whole page.
                        if frame.data.readableBytesView.starts(with: #"{"id":\#(id),"#.utf8) { return frame.data }
                    }
                    return ByteBuffer()
                }
                func pageRequest(_ page: Int) -> String {
                    #"["/qHyperCubeDef",[{"qTop":\#((page * 1000) % max(1, rows - 1000)),"qLeft":0,"qWidth":10,"qHeight":1000}]]"#
                }
                func report(_ label: String, pages: Int, bytes: Int, since start: ContinuousClock.Instant) {
                    let elapsed = ContinuousClock.now - start
                    let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                    let cells = Double(pages * 10_000)
                    print(String(format: "hypercube, %@: %d pages of 10,000 cells in %.3f s: %.0f cells/s, %.1f MB/s of JSON", label, pages, seconds,
                                 cells / seconds, Double(bytes) / seconds / 1e6))
                }
                _ = try await call(1, -1, "OpenDoc", "[\"\(appID)\"]")
                let dimensions = (0..<10).map { #"{"qDef":{"qFieldDefs":["\#(["ID", "Code1", "Amount2", "Name3", "Date4", "Key5", "Code6", "Amount7", "Name8", "Date9"][$0])"]}}"# }
                let creation = ContinuousClock.now
                let created = try await String(buffer: call(2, 1, "CreateSessionObject",
                                             #"[{"qInfo":{"qType":"bench"},"qHyperCubeDef":{"qDimensions":[\#(dimensions.joined(separator: ","))],"qMeasures":[]}}]"#))
                guard let range = created.range(of: #""qHandle":"#) else { print("no handle: \(created.prefix(300))"); return }
                let handle = Int(created[range.upperBound...].prefix { $0.isNumber }) ?? 2
                print("hypercube of \(rows) rows x 10 dimensions created in \(ContinuousClock.now - creation)")
                // One request at a time: each page's full round trip.
                var start = ContinuousClock.now
                var bytes = 0
                for page in 0..<pages {
                    let reply = try await call(100 + page, handle, "GetHyperCubeData", pageRequest(page))
                    bytes += reply.readableBytes
                }
                report("one in flight", pages: pages, bytes: bytes, since: start)
                // Four in flight, as a connector's table reader keeps them: the server builds pages while the client reads.
                start = ContinuousClock.now
                bytes = 0
                let inFlight = 4
                var sent = 0, received = 0
                while received < pages {
                    while sent < pages, sent - received < inFlight {
                        try await outbound.write(.text(#"{"jsonrpc":"2.0","id":\#(10_000 + sent),"handle":\#(handle),"method":"GetHyperCubeData","params":\#(pageRequest(sent))}"#))
                        sent += 1
                    }
                    guard let frame = try await frames.next() else { break }
                    bytes += frame.data.readableBytes
                    received += 1
                }
                report("four in flight", pages: pages, bytes: bytes, since: start)
            }
            group.cancelAll()
        }
    }
}
