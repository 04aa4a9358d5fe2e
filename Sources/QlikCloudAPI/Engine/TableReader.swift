import AsyncAlgorithms
import Foundation
import QlikConnections

/// Reads one table of an app through the engine: a hypercube of the table's
/// fields, paged (at most 10,000 cells a page) with several pages in flight,
/// delivered in row order. A dropped socket is reopened and the read resumes
/// at the first row not yet delivered.
///
/// With selections, each is made in its field before the hypercube is
/// created (again on each reopened socket: the engine keeps selections per
/// session), so the cube holds only the rows associated with them.
///
/// A hypercube holds distinct combinations: rows identical in every field
/// read come out once. ``Header/tableRows`` against ``Header/rows`` tells.
public struct TableReader: Sendable {
    public struct Header: Sendable, Equatable {
        public let table: String
        public let fields: [String]
        /// Rows of the cube: what is read.
        public let rows: Int
        /// Rows of the table in the data model.
        public let tableRows: Int?
        /// Each field's tags (`$numeric`, `$integer`, `$text`, `$date`, `$timestamp`, ...).
        public let tags: [[String]]
    }

    public struct Summary: Sendable, Equatable {
        public let rows: Int
        public let pages: Int
        public let reconnects: Int
    }

    public enum Failure: Error, Sendable, CustomStringConvertible {
        case unknownTable(String, hint: String)
        case unknownField(String, table: String, hint: String)
        case tableChanged(String)
        case loadFailed
        case unknownSelectionField(String, appFields: [String])
        case repeatedSelectionField(String)
        case unknownSelectionValues(field: String, missing: [MissingValue])
        case selectionRefused(String)

        /// A value asked for that the field does not hold, with the field's values nearest to it.
        public struct MissingValue: Sendable, Equatable {
            public let value: String
            public let nearest: [String]
        }

        public var description: String {
            switch self {
            case .unknownTable(let name, let hint): "The app has no table '\(name)'. \(hint)"
            case .unknownField(let name, let table, let hint): "The table '\(table)' has no field '\(name)'. \(hint)"
            case .tableChanged(let why): "The table changed while it was read (\(why)); read it again."
            case .loadFailed: "The engine could not load the data (its load script failed): check that the file is a QVD or a comma-separated text file with a header."
            case .unknownSelectionField(let name, let fields):
                "The app has no field '\(name)' to select in. \(NearestNames.suggest(name, among: fields).map { "Did you mean '\($0)'? " }.first ?? "")"
                    + "Its fields: \(fields.prefix(50).map { "'\($0)'" }.joined(separator: ", "))\(fields.count > 50 ? ", … (\(fields.count) in all)" : "")."
            case .repeatedSelectionField(let name):
                "The field '\(name)' is selected twice; give all its values in one selection (\(name)=A,B)."
            case .unknownSelectionValues(let field, let missing):
                "The field '\(field)' has no value " + missing.map { value in
                    "'\(value.value)' (nearest: \(value.nearest.isEmpty ? "none, the field has no values" : value.nearest.map { "'\($0)'" }.joined(separator: ", ")))"
                }.joined(separator: " nor ") + ". Values match exactly: texts as texts (letter case too), numbers as numbers."
            case .selectionRefused(let field): "The engine did not make the selection in '\(field)'; read again, or without that selection."
            }
        }
    }

    /// What the engine reads: an app's data model, or a session app whose
    /// load script runs first (how a data file's rows are read: there is no REST download).
    public enum Document: Sendable, Equatable {
        case app(String)
        case sessionApp(script: String)
    }

    public let client: QlikCloudClient
    public let document: Document
    public var appID: String { if case .app(let id) = document { id } else { "" } }
    public let table: String
    /// The fields to read, in this order; all of the table's when nil.
    public let fields: [String]?
    /// Made before reading, each narrowing the others; none: the whole table.
    public let selections: [FieldSelection]
    public var pagesInFlight: Int
    public var maximumReconnects: Int
    public var cellsPerPage: Int

    public init(client: QlikCloudClient, appID: String, table: String, fields: [String]? = nil, selections: [FieldSelection] = [], pagesInFlight: Int = 4,
                maximumReconnects: Int = 5, cellsPerPage: Int = 10_000) {
        self.init(client: client, document: .app(appID), table: table, fields: fields, selections: selections, pagesInFlight: pagesInFlight,
                  maximumReconnects: maximumReconnects, cellsPerPage: cellsPerPage)
    }

    public init(client: QlikCloudClient, document: Document, table: String, fields: [String]? = nil, selections: [FieldSelection] = [], pagesInFlight: Int = 4,
                maximumReconnects: Int = 5, cellsPerPage: Int = 10_000) {
        self.client = client
        self.document = document
        self.table = table
        self.fields = fields
        self.selections = selections
        self.pagesInFlight = max(1, pagesInFlight)
        self.maximumReconnects = maximumReconnects
        self.cellsPerPage = max(1, min(cellsPerPage, 10_000))
    }

    /// Where a read has got to, kept across reconnects.
    private actor Progress {
        var nextRow = 0
        var pages = 0
        var header: Header?
        /// Resolved on the first session; a reopened one only applies them.
        var selections: ResolvedSelections?
        func delivered(_ page: RowPage) { nextRow += page.rowCount; pages += 1 }
        func setHeader(_ header: Header) { self.header = header }
        func setSelections(_ selections: ResolvedSelections) { self.selections = selections }
    }

    /// Reads the table: `start` gets the header once, then `consume` each page in order (awaited, so a slow consumer slows the read).
    public func read(start: @escaping @Sendable (Header) async throws -> Void,
                     consume: @escaping @Sendable (RowPage) async throws -> Void) async throws -> Summary {
        let progress = Progress()
        var reconnects = 0
        while true {
            do {
                let socketApp = switch document {
                case .app(let id): id
                case .sessionApp: "SessionApp_" + UUID().uuidString.lowercased()
                }
                try await EngineSession.withSession(client: client, appID: socketApp) { session in
                    try await self.readOnce(session, progress: progress, start: start, consume: consume)
                }
                let rows = await progress.nextRow, pages = await progress.pages
                return Summary(rows: rows, pages: pages, reconnects: reconnects)
            } catch let error as EngineError where error.isConnectionLost && reconnects < maximumReconnects {
                reconnects += 1
                try await Task.sleep(for: .milliseconds(100 * (1 << min(reconnects, 6))))
            }
        }
    }

    private func readOnce(_ session: EngineSession, progress: Progress, start: @Sendable (Header) async throws -> Void,
                          consume: @escaping @Sendable (RowPage) async throws -> Void) async throws {
        let doc: Int
        switch document {
        case .app:
            doc = try await session.openDoc()
        case .sessionApp(let script):
            doc = try await session.createSessionApp()
            try await session.setScript(doc: doc, script)
            guard try await session.doReload(doc: doc) else { throw Failure.loadFailed }
        }
        let model = try await session.tablesAndKeys(doc: doc)
        guard let found = model.qtr.first(where: { $0.qName == table }) else {
            throw Failure.unknownTable(table, hint: NearestNames.hint(table, among: model.qtr.map(\.qName)))
        }
        let tableFields = (found.qFields ?? []).map(\.qName)
        let wanted = fields ?? tableFields
        for field in wanted where !tableFields.contains(field) {
            throw Failure.unknownField(field, table: table, hint: NearestNames.hint(field, among: tableFields))
        }
        if !selections.isEmpty {
            let resolved: ResolvedSelections
            if let known = await progress.selections {
                resolved = known
            } else {
                resolved = try await ResolvedSelections.resolve(selections, session: session, doc: doc, model: model)
                await progress.setSelections(resolved)
            }
            try await resolved.apply(session: session, doc: doc)
        }
        let object = try await session.createHyperCube(doc: doc, fields: wanted)
        let size = try await session.cubeSize(object: object)
        let tags = wanted.map { field in found.qFields?.first { $0.qName == field }?.qTags ?? [] }
        let header = Header(table: table, fields: wanted, rows: size.rows, tableRows: found.qNoOfRows, tags: tags)
        if let earlier = await progress.header {
            guard earlier == header else { throw Failure.tableChanged("it had \(earlier.rows) rows, now \(header.rows)") }
        } else {
            await progress.setHeader(header)
            try await start(header)
        }
        let width = max(1, wanted.count)
        let height = max(1, cellsPerPage / width)
        var nextRow = await progress.nextRow
        try await withThrowingTaskGroup(of: RowPage.self) { group in
            var requested = nextRow
            var inFlight = 0
            var arrived: [Int: RowPage] = [:]
            while nextRow < size.rows {
                while requested < size.rows, inFlight < pagesInFlight {
                    let top = requested
                    group.addTask { try await session.hyperCubePage(object: object, top: top, height: min(height, size.rows - top), width: width) }
                    requested += height
                    inFlight += 1
                }
                guard let page = try await group.next() else { break }
                inFlight -= 1
                arrived[page.firstRow] = page
                while let ready = arrived.removeValue(forKey: nextRow) {
                    guard ready.rowCount > 0 else { throw Failure.tableChanged("the engine sent an empty page at row \(nextRow)") }
                    try await consume(ready)
                    await progress.delivered(ready)
                    nextRow += ready.rowCount
                }
            }
        }
    }

    /// The pages as an AsyncSequence, read ahead by at most one page; stopping
    /// the iteration (or dropping the iterator) cancels the read.
    public func pages() -> TablePages { TablePages(reader: self) }
}

/// ``TableReader/pages()``: row pages in order; the header first through ``TablePages/AsyncIterator/header``.
public struct TablePages: AsyncSequence, Sendable {
    public typealias Element = RowPage
    let reader: TableReader

    public final class AsyncIterator: AsyncIteratorProtocol {
        private let channel = AsyncThrowingChannel<RowPage, any Error>()
        private var iterator: AsyncThrowingChannel<RowPage, any Error>.AsyncIterator
        private let producer: Task<Void, Never>
        private let headerBox = HeaderBox()

        init(reader: TableReader) {
            iterator = channel.makeAsyncIterator()
            let channel = self.channel, headerBox = self.headerBox
            // The read runs beside the consumer, held back by the channel: each send waits for the page to be taken.
            producer = Task {
                do {
                    _ = try await reader.read(start: { await headerBox.set($0) }, consume: { await channel.send($0) })
                    channel.finish()
                } catch {
                    channel.fail(error)
                }
            }
        }

        deinit { producer.cancel() }

        public func next() async throws -> RowPage? {
            try await iterator.next()
        }

        /// The table's header, known once the first page has arrived.
        public var header: TableReader.Header? {
            get async { await headerBox.value }
        }
    }

    actor HeaderBox {
        var value: TableReader.Header?
        func set(_ header: TableReader.Header) { value = header }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(reader: reader) }
}
