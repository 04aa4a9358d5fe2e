import Foundation
public import QlikCloudAPI
import QVD

/// `write`: a local table (CSV, JSON Lines or QVD) becomes a data file,
/// converted to QVD or CSV as asked, uploaded directly or, above the quota
/// for direct uploads, through temporary contents. A replacement is one
/// request, so the old file stays whole until the new one is complete; the
/// local conversion is removed whatever happens. Then the named apps reload.
public struct DataFileImport: Sendable {
    public enum Mode: String, Sendable, CaseIterable { case create, replace }

    public struct Summary: Sendable {
        public let dataFile: DataFile
        public let bytes: Int64
        public let format: TableSink.Format
        public let replaced: Bool
        public let throughTempContent: Bool
        public let reloads: [(app: TenantLookup.AppRef, reload: Reload)]
    }

    public let client: QlikCloudClient

    public init(client: QlikCloudClient) { self.client = client }

    public func run(from input: String, dataFile name: String, format: TableSink.Format, mode: Mode, spaceConnectionID: String? = nil,
                    reload apps: [TenantLookup.AppRef] = [], wait: Bool = false) async throws -> Summary {
        guard FileManager.default.isReadableFile(atPath: input) else { throw ConnectorError.badInput("Cannot read \(input).") }
        guard let inputFormat = TableSink.Format(path: input) else {
            throw ConnectorError.badInput("\(input): the input must be a .csv, .jsonl or .qvd file.")
        }
        guard format != .jsonl else { throw ConnectorError.badInput("A data file is written as qvd or csv (--format qvd|csv).") }
        let lookup = TenantLookup(client: client)
        let existing = try await lookup.dataFile(named: name, connectionID: spaceConnectionID)
        if existing != nil, mode == .create {
            throw ConnectorError.badInput("The data file '\(name)' already exists; use --mode replace to replace it (the old content stays until the new one is complete).")
        }
        let (upload, temporary) = try prepare(input, from: inputFormat, to: format, table: (name as NSString).deletingPathExtension)
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        // A CSV sent as it is gets its shape checked on the way, in the same pass as the upload.
        let check = inputFormat == .csv && format == .csv ? LatestCheck(path: input) : nil
        let source = UploadSource.file(path: upload)
        let bytes = try source.size()
        let quotas = try await client.dataFileQuotas()
        var tempContentID: String?
        let file: DataFile
        do {
            if bytes > Int64(quotas.maxFileSize) {
                guard bytes <= Int64(quotas.maxLargeFileSize) else {
                    throw ConnectorError.badInput("\(input) makes a \(bytes)-byte data file; the tenant accepts at most \(quotas.maxLargeFileSize) bytes.")
                }
                tempContentID = try await client.uploadTempContent(filename: name, source: source, validator: check?.factory)
            }
            let body: UploadSource? = tempContentID == nil ? source : nil
            let validator = tempContentID == nil ? check?.factory : nil
            if let existing {
                file = try await client.replaceDataFile(id: existing.id, source: body, tempContentID: tempContentID, validator: validator)
            } else {
                file = try await client.uploadDataFile(name: name, source: body, connectionID: spaceConnectionID, tempContentID: tempContentID,
                                                       validator: validator)
            }
        } catch {
            if let refused = check?.failure { throw ConnectorError.badInput(refused) }
            throw error
        }
        var reloads: [(TenantLookup.AppRef, Reload)] = []
        for app in apps {
            let queued = try await client.createReload(appID: app.id)
            reloads.append((app, wait ? try await client.waitForReload(id: queued.id) : queued))
        }
        return Summary(dataFile: file, bytes: bytes, format: format, replaced: existing != nil, throughTempContent: tempContentID != nil, reloads: reloads)
    }

    /// The file to upload: the input itself when no conversion is needed (checked first), or a converted temporary file.
    func prepare(_ input: String, from: TableSink.Format, to: TableSink.Format, table: String) throws -> (String, String?) {
        let temporary = NSTemporaryDirectory() + "qlik-connector-upload-\(UUID().uuidString).\(to.rawValue)"
        do {
            switch (from, to) {
            case (.csv, .csv):
                return (input, nil)
            case (.qvd, .qvd):
                _ = try QVDReader(path: input)
                return (input, nil)
            case (.csv, .qvd):
                try CSVConversion.csvToQVD(input: input, output: temporary, tableName: table)
            case (.qvd, .csv):
                guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
                    throw ConnectorError.failed("Cannot create \(temporary).")
                }
                defer { try? handle.close() }
                try CSVConversion.qvdToCSV(input: input, to: handle)
            case (.jsonl, _):
                try JSONLines.convert(input, to: temporary, format: to, table: table)
            default:
                throw ConnectorError.badInput("Cannot write \(from.rawValue) as \(to.rawValue).")
            }
            return (temporary, temporary)
        } catch let error as ConnectorError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        } catch let error as QVDError {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ConnectorError.badInput("\(error)")
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ConnectorError.failed("Preparing \(input) failed: \(error)")
        }
    }
}
