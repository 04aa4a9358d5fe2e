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
        guard let mode = arguments.first, arguments.count >= 4 else {
            FileHandle.standardError.write(Data("usage: engine-benchmark read BASE_URL API_KEY APP_ID TABLE | check BASE_URL API_KEY N\n".utf8))
            exit(2)
        }
        let tenant = try TenantURL(arguments[1], policy: .allowCustomHosts)
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
        let start = ContinuousClock.now
        let summary = try await TableReader(client: client, appID: appID, table: table, pagesInFlight: 4)
            .read(start: { _ in }, consume: { page in await counter.add(page) })
        let seconds = (ContinuousClock.now - start).seconds
        let cells = await counter.cells
        print(#"{"reader":"qlik-connector (Swift)","rows":\#(summary.rows),"seconds":\#(String(format: "%.3f", seconds)),"rowsPerSecond":\#(Int(Double(summary.rows) / seconds)),"cellsPerSecond":\#(Int(Double(cells) / seconds)),"peakMiB":\#(peakMiB())}"#)
    }

    actor Counter {
        var cells = 0
        func add(_ page: RowPage) { cells += page.cells.count }
    }

    static func check(_ client: QlikCloudClient, tenant: TenantURL, key: String, count: Int) async throws {
        let tester = ConnectionTester()
        _ = await tester.quickCheck(client: client, baseURL: tenant) // warm: token, connection
        var checks: [Double] = []
        for _ in 0..<count {
            let start = ContinuousClock.now
            let report = await tester.quickCheck(client: client, baseURL: tenant)
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
