public import Foundation
public import QlikCloudAPI

/// The Airbyte destination: each stream becomes a data file named after it
/// (`<stream>.qvd` or `.csv`), replaced whole at the end of the sync
/// (overwrite), then the configured apps reload. STATE messages are echoed
/// only once every record before them is in a data file.
public struct AirbyteDestination: Sendable {
    public let client: QlikCloudClient
    public let emit: @Sendable (String) -> Void

    public init(client: QlikCloudClient, emit: @escaping @Sendable (String) -> Void) {
        self.client = client
        self.emit = emit
    }

    public func write(catalog: ConfiguredCatalog, format: String, reloadApps: [String], input: FileHandle) async throws {
        for stream in catalog.streams where (stream.destinationSyncMode ?? "overwrite") != "overwrite" {
            throw ConnectorError.badInput("Stream '\(stream.name)' asks for \(stream.destinationSyncMode ?? "") mode; this destination supports overwrite only.")
        }
        let directory = NSTemporaryDirectory() + "qlik-connector-airbyte-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var files: [String: FileHandle] = [:]
        var counts: [String: Int] = [:]
        var states: [String] = []
        for stream in catalog.streams {
            let path = directory + "/\(stream.name).jsonl"
            guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
                throw ConnectorError.failed("Cannot create \(path).")
            }
            files[stream.name] = file
        }
        var pending = Data()
        var lineNumber = 0
        func handle(_ line: Data) throws {
            lineNumber += 1
            guard !line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) else { return }
            guard let message = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] else {
                throw ConnectorError.badInput("Input line \(lineNumber) is not an Airbyte message (one JSON object per line).")
            }
            switch message["type"] as? String {
            case "RECORD":
                guard let record = message["record"] as? [String: Any], let stream = record["stream"] as? String, let data = record["data"] as? [String: Any] else { return }
                guard let file = files[stream] else { throw ConnectorError.badInput("A record for stream '\(stream)', which the catalog does not configure.") }
                var bytes = try JSONSerialization.data(withJSONObject: data, options: [.sortedKeys])
                bytes.append(0x0A)
                try file.write(contentsOf: bytes)
                counts[stream, default: 0] += 1
            case "STATE":
                states.append(String(decoding: line, as: UTF8.self))
            default:
                break
            }
        }
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            pending.append(chunk)
            while let newline = pending.firstIndex(of: 0x0A) {
                try handle(pending[pending.startIndex..<newline])
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        try handle(pending)
        for file in files.values { try file.close() }
        let lookup = TenantLookup(client: client)
        var apps: [TenantLookup.AppRef] = []
        for name in reloadApps { apps.append(try await lookup.app(name)) }
        let importer = DataFileImport(client: client)
        for stream in catalog.streams where counts[stream.name, default: 0] > 0 {
            let name = "\(stream.name).\(format)"
            let summary = try await importer.run(from: directory + "/\(stream.name).jsonl", dataFile: name, format: format == "csv" ? .csv : .qvd, mode: .replace)
            emit(AirbyteMessage.log("Stream '\(stream.name)': \(counts[stream.name] ?? 0) records into data file '\(name)' (\(summary.bytes) bytes)."))
        }
        for app in apps {
            let reload = try await client.waitForReload(id: try await client.createReload(appID: app.id).id)
            guard reload.status == .succeeded else {
                throw ConnectorError.failed("The reload of '\(app.name)' \(reload.status.rawValue): \(reload.errorMessage ?? reload.log ?? "")")
            }
            emit(AirbyteMessage.log("Reloaded '\(app.name)'."))
        }
        // Everything is in place: the states the source sent may now be committed.
        states.forEach(emit)
    }
}
