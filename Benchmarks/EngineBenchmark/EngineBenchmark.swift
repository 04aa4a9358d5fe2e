import AsyncHTTPClient
import Connector
import Foundation
import QlikCloudAPI
import QlikConnections
#if canImport(Glibc)
import Glibc
#endif

/// `engine-benchmark read BASE_URL API_KEY APP_ID TABLE`: reads the whole
/// table through ``TableReader`` (pages of 10,000 cells, four in flight) and
/// prints one JSON line: rows, seconds, rows/s, cells/s, peak memory.
/// `engine-benchmark check BASE_URL API_KEY N`: Test Connection's quick check
/// on a warm client beside a bare AsyncHTTPClient `GET /api/v1/users/me`, N each.
@main
struct EngineBenchmark {
    static func main() async throws {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "parse" { return parse() }
        guard let mode = arguments.first, arguments.count >= 4 else {
            FileHandle.standardError.write(Data("usage: engine-benchmark read BASE_URL API_KEY APP_ID TABLE | check BASE_URL API_KEY N\n".utf8))
            exit(2)
        }
        let tenant = try TenantURL(arguments[1], policy: .anyWellFormedHost)
        guard let key = Secret(arguments[2]) else { exit(2) }
        let settings = TransportSettings(proxies: ProxyEnvironment(environment: [:]))
        let client = try QlikCloudClient.make(tenant: tenant, authentication: .apiKey(key), settings: settings)
        switch mode {
        case "read": try await read(client, appID: arguments[3], table: arguments.count > 4 ? arguments[4] : "Facts")
        default: try await check(client, tenant: tenant, key: arguments[2], count: Int(arguments[3]) ?? 200)
        }
        await client.shutdown()
    }

    static func read(_ client: QlikCloudClient, appID: String, table: String) async throws {
        let counter = Counter()
        let opened = ContinuousClock.now
        // Timed from the header on, as the peers time their paging: opening the app and building the cube is the server's work.
        let summary = try await TableReader(client: client, appID: appID, table: table, pagesInFlight: 4)
            .read(start: { _ in await counter.begin() }, consume: { page in await counter.add(page) })
        let (cells, first) = await (counter.cells, counter.started ?? opened)
        let seconds = (ContinuousClock.now - first).seconds
        let setup = (first - opened).seconds
        print(#"{"reader":"qlik-connector (Swift)","rows":\#(summary.rows),"seconds":\#(String(format: "%.3f", seconds)),"rowsPerSecond":\#(Int(Double(summary.rows) / seconds)),"cellsPerSecond":\#(Int(Double(cells) / seconds)),"peakMiB":\#(peakMiB()),"openSeconds":\#(String(format: "%.3f", setup))}"#)
    }

    actor Counter {
        var cells = 0
        var started: ContinuousClock.Instant?
        func begin() { started = ContinuousClock.now }
        func add(_ page: RowPage) { cells += page.cellCount }
    }

    static func check(_ client: QlikCloudClient, tenant: TenantURL, key: String, count: Int) async throws {
        let tester = ConnectionTester()
        // The benchmark's tenant is the operator's own (a local sandbox): its host:port is the one entry.
        let hosts = try TenantHostPolicy(parsing: [TenantHostPolicy.normalized(tenant.host) + ":" + String(tenant.port ?? (tenant.scheme == "https" ? 443 : 80))])
        _ = await tester.quickCheck(client: client, baseURL: tenant, hosts: hosts) // warm: token, connection
        var checks: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            let report = await tester.quickCheck(client: client, baseURL: tenant, hosts: hosts)
            guard report.succeeded else { print("check failed: \(report.summary)"); exit(1) }
            checks.append((ContinuousClock.now - start).seconds * 1000)
        }
        let raw = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var request = HTTPClientRequest(url: tenant.description + "/api/v1/users/me")
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        _ = try await raw.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 20)
        var trips: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            _ = try await raw.execute(request, timeout: .seconds(10)).body.collect(upTo: 1 << 20)
            trips.append((ContinuousClock.now - start).seconds * 1000)
        }
        try await raw.shutdown()
        let check = median(checks), trip = median(trips)
        print(String(format: #"{"warmTestConnectionMs":%.3f,"rawUsersMeMs":%.3f,"ratio":%.2f,"samples":%d}"#, check, trip, check / trip, count))
    }

    /// The page parser alone, on a page shaped like the engine's (1,000 rows x 10 columns).
    static func parse() {
        var json = #"{"id":9,"jsonrpc":"2.0","result":{"qDataPages":[{"qArea":{"qHeight":1000,"qLeft":0,"qTop":0,"qWidth":10},"qMatrix":["#
        for row in 0..<1000 {
            json += row == 0 ? "[" : ",["
            json += (0..<10).map { column in
                column % 2 == 0 ? #"{"qText":"\#(row * 7 + column)","qNum":\#(row * 7 + column),"qElemNumber":\#(row),"qState":"O"}"#
                    : #"{"qText":"item-\#(row % 1000)","qNum":"NaN","qElemNumber":\#(row % 1000),"qState":"O"}"#
            }.joined(separator: ",")
            json += "]"
        }
        json += #"],"qTails":[]}]}}"#
        let bytes = Array(json.utf8)
        let start = ContinuousClock.now
        let pages = 500
        var cells = 0
        for _ in 0..<pages {
            cells += (try? bytes.withUnsafeBytes { try HyperCubePageParserProbe.page($0, width: 10) })?.cellCount ?? 0
        }
        let seconds = (ContinuousClock.now - start).seconds
        print(String(format: "parser alone: %.0f cells/s, %.0f MB/s (%d-byte pages)", Double(cells) / seconds,
                     Double(pages * bytes.count) / seconds / 1e6, bytes.count))
    }

    static func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    static func peakMiB() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss / 1024) // kilobytes on Linux
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
