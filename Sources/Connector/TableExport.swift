import Foundation
public import QlikCloudAPI

/// `read`: streams a table out of the engine into a CSV, JSON Lines or QVD
/// file, typed by ``FieldType``, reporting progress as pages arrive.
public struct TableExport: Sendable {
    public struct Progress: Sendable {
        public let rows: Int
        public let totalRows: Int
        public let elapsed: Duration
    }

    public struct Summary: Sendable, Equatable {
        public let path: String
        public let table: String
        public let fields: [String]
        public let types: [FieldType]
        public let rows: Int
        public let reconnects: Int
        /// Rows identical in every field read come out once (a hypercube's distinct rows).
        public let mergedRows: Int
    }

    public let client: QlikCloudClient

    public init(client: QlikCloudClient) { self.client = client }

    /// A data file's rows, read through a session app that loads it.
    public static func loadScript(dataFile name: String, table: String) -> String {
        let format = name.lowercased().hasSuffix(".qvd") ? "(qvd)" : "(txt, utf8, embedded labels, delimiter is ',')"
        return "[\(table.replacingOccurrences(of: "]", with: "]]"))]:\nLOAD * FROM [lib://DataFiles/\(name.replacingOccurrences(of: "]", with: "]]"))] \(format);"
    }

    /// With `selections`, only the rows associated with them (see ``TableReader``); none may be left.
    public func run(document: TableReader.Document, table: String, fields: [String]?, selections: [FieldSelection] = [], to path: String, format: TableSink.Format,
                    progress: @escaping @Sendable (Progress) async -> Void = { _ in }) async throws -> Summary {
        let sink = try TableSink(path: path, format: format)
        let box = SinkBox(sink)
        let start = ContinuousClock.now
        do {
            let reader = TableReader(client: client, document: document, table: table, fields: fields, selections: selections)
            let summary = try await reader.read(start: { header in
                try await box.begin(header)
            }, consume: { page in
                let (rows, total) = try await box.write(page)
                await progress(Progress(rows: rows, totalRows: total, elapsed: ContinuousClock.now - start))
            })
            try await box.finish()
            let header = await box.header
            // Under selections the table's row count says nothing about rows merged: the selections left rows out.
            let merged = selections.isEmpty ? max(0, (header?.tableRows ?? summary.rows) - summary.rows) : 0
            return Summary(path: path, table: table, fields: header?.fields ?? [], types: await box.types, rows: summary.rows,
                           reconnects: summary.reconnects, mergedRows: merged)
        } catch {
            await box.abort()
            throw error
        }
    }

    /// The sink, used by one page at a time.
    actor SinkBox {
        let sink: TableSink
        var header: TableReader.Header?
        var types: [FieldType] = []

        init(_ sink: TableSink) { self.sink = sink }

        func begin(_ header: TableReader.Header) throws {
            self.header = header
            types = header.tags.map(FieldType.init(tags:))
            try sink.begin(table: header.table, fields: header.fields, types: types)
        }

        func write(_ page: RowPage) throws -> (Int, Int) {
            try sink.write(page)
            return (sink.rows, header?.rows ?? 0)
        }

        func finish() throws { try sink.finish() }
        func abort() { sink.abort() }
    }
}
