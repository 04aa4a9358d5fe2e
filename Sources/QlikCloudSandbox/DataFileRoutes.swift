import Foundation
import Hummingbird

/// `/api/v1/data-files`: the files an app's load script reads as lib://DataFiles/<name>.
struct DataFileRoutes {
    let tenant: Tenant
    let base: BaseURL

    private struct Quotas: Encodable {
        let maxFileSize: Int
        let maxLargeFileSize: Int
        let maxFiles: Int
        /// The sandbox sets no limit on a user's total: the largest integer a JSON client reads exactly.
        let maxSize = 9_007_199_254_740_991
        let size: Int
        let allowedExtensions: [String]
        /// The sandbox keeps no system-internal files.
        let allowedInternalExtensions: [String] = []
    }

    /// The `Json` part of an upload.
    private struct UploadFields: Decodable {
        let name: String?
        let connectionId: String?
        let tempContentFileId: String?
    }

    struct ConnectionView: Encodable {
        let id: String
        let name: String
        let type: String
        let spaceId: String?
        let connectStatement: String

        init(_ connection: (id: String, name: String, spaceID: String?)) {
            id = connection.id
            name = connection.name
            type = "qix-datafiles.exe"
            spaceId = connection.spaceID
            connectStatement = "CUSTOM CONNECT TO \"provider=qix-datafiles.exe;\""
        }
    }

    private struct ConnectionPage: Encodable {
        let data: [ConnectionView]
        let links: DataFileView.Links
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("data-files/quotas") { _, _ in
            let used = await tenant.dataFiles.reduce(0) { $0 + $1.content.count }
            return try JSONResponse.make(Quotas(maxFileSize: tenant.configuration.maxFileSize, maxLargeFileSize: tenant.configuration.maxLargeFileSize,
                                                maxFiles: 50_000, size: used, allowedExtensions: ["qvd", "csv", "txt", "xlsx", "json", "parquet"]))
        }
        group.get("data-files/connections") { request, _ in
            var connections = await tenant.dataFileConnections()
            if let space = request.uri.queryParameters["spaceId"].map(String.init) { connections = connections.filter { $0.spaceID == space } }
            let links = Paging.links(request, base: base, next: nil, prev: nil, cursorName: "page")
            return try JSONResponse.make(ConnectionPage(data: connections.map(ConnectionView.init),
                                                        links: DataFileView.Links(self: links.`self`, next: .init(nil), prev: .init(nil))))
        }
        group.get("data-files/connections/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let connection = await tenant.dataFileConnections().first(where: { $0.id == id }) else {
                throw QlikErrorResponse.notFound("No DataFiles connection with id \(id).")
            }
            return try JSONResponse.make(ConnectionView(connection))
        }
        group.get("data-files") { request, context in
            let user = try context.requireUser()
            let paging = try Paging(request, defaultLimit: 20, cursorName: "page")
            // Only what the caller sees (ContentAccess): its own personal files and those of the spaces it sees.
            var files = await tenant.visibleDataFiles(to: user)
            let query = request.uri.queryParameters
            if let name = query["name"].map(String.init) { files = files.filter { $0.name == name } }
            // As Qlik lists them: the files of one connection, else the caller's personal space, or with includeAllSpaces every space too.
            if let connection = query["connectionId"].map(String.init) {
                files = files.filter { $0.connectionID == connection }
            } else if query["includeAllSpaces"] != "true" {
                files = files.filter { $0.spaceID == nil && $0.ownerID == user.id }
            }
            if let owner = query["ownerId"].map(String.init) { files = files.filter { $0.ownerID == owner } }
            if let owner = query["notOwnerId"].map(String.init) { files = files.filter { $0.ownerID != owner } }
            if let pattern = query["baseNameWildcard"].map(String.init) {
                files = files.filter { Self.matches(($0.name as NSString).lastPathComponent, wildcard: pattern) }
            }
            if let sort = query["sort"].map(String.init) {
                let sorted = try Self.sorted(files, by: sort)
                let page = paging.page(Array(sorted.enumerated()), sequence: { $0.offset + 1 })
                return try Self.list(page.items.map(\.element), next: page.next, prev: page.prev, request: request, base: base)
            }
            let page = paging.page(files, sequence: \.sequence)
            return try Self.list(page.items, next: page.next, prev: page.prev, request: request, base: base)
        }
        group.post("data-files") { request, context in
            let user = try context.requireUser()
            let (fields, content, large) = try await upload(request)
            guard let name = fields.name, !name.isEmpty else { throw QlikErrorResponse.badRequest("The Json part must name the file.") }
            let file = try await tenant.addDataFile(name: name, content: content, ownerID: user.id, connectionID: fields.connectionId, large: large)
            return try JSONResponse.make(DataFileView(file), status: .created)
        }
        group.put("data-files/:id") { request, context in
            let id = try context.parameters.require("id")
            _ = try await tenant.visibleDataFile(id, to: try context.requireUser())
            let (fields, content, large) = try await upload(request)
            let file = try await tenant.replaceDataFile(id, name: fields.name, content: content, large: large)
            return try JSONResponse.make(DataFileView(file), status: .created)
        }
        group.get("data-files/:id") { _, context in
            let file = try await tenant.visibleDataFile(try context.parameters.require("id"), to: try context.requireUser())
            return try JSONResponse.make(DataFileView(file))
        }
        group.delete("data-files/:id") { _, context in
            let id = try context.parameters.require("id")
            _ = try await tenant.visibleDataFile(id, to: try context.requireUser())
            guard await tenant.deleteDataFile(id) else { throw QlikErrorResponse.notFound("No data file with id \(id).") }
            return Response(status: .noContent)
        }
    }

    private static func list(_ files: [DataFile], next: String?, prev: String?, request: Request, base: BaseURL) throws -> Response {
        let links = Paging.links(request, base: base, next: next, prev: prev, cursorName: "page")
        // Qlik's data-files lists always carry next and prev, empty when there is no such page.
        return try JSONResponse.make(DataFileView.Page(data: files.map(DataFileView.init),
                                                       links: DataFileView.Links(self: links.`self`, next: DataFileView.OptionalLink(links.next),
                                                                                 prev: DataFileView.OptionalLink(links.prev))))
    }

    /// `*` any run of characters, `?` one character; case-insensitive, as Qlik matches base names.
    static func matches(_ name: String, wildcard: String) -> Bool {
        let pattern = "^" + NSRegularExpression.escapedPattern(for: wildcard).replacingOccurrences(of: "\\*", with: ".*")
            .replacingOccurrences(of: "\\?", with: ".") + "$"
        return name.range(of: pattern, options: [.regularExpression, .caseInsensitive]) != nil
    }

    private static func sorted(_ files: [DataFile], by sort: String) throws(QlikErrorResponse) -> [DataFile] {
        let descending = sort.hasPrefix("-")
        let field = sort.hasPrefix("-") || sort.hasPrefix("+") ? String(sort.dropFirst()) : sort
        let ordered: (DataFile, DataFile) -> Bool
        switch field {
        case "name": ordered = { $0.name.lowercased() < $1.name.lowercased() }
        case "baseName": ordered = { ($0.name as NSString).lastPathComponent.lowercased() < ($1.name as NSString).lastPathComponent.lowercased() }
        case "size": ordered = { $0.content.count < $1.content.count }
        case "modifiedDate": ordered = { $0.modifiedAt < $1.modifiedAt }
        // Data files are never folders here, so all sort alike.
        case "folder": return files
        default: throw .badRequest("sort must be name, baseName, size, modifiedDate or folder, with + or -; got '\(sort)'.")
        }
        return files.enumerated().sorted { left, right in
            if ordered(left.element, right.element) { return !descending }
            if ordered(right.element, left.element) { return descending }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// The upload's `Json` fields and its content: the `File` part, or the temporary
    /// content it names (which may be as large as the large-file quota).
    private func upload(_ request: Request) async throws -> (UploadFields, [UInt8], large: Bool) {
        let limit = tenant.configuration.maxFileSize + (1 << 20)
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch {
            throw QlikErrorResponse(.contentTooLarge, code: "DF-002", title: "Request Entity Too Large",
                                    detail: "The upload is larger than the \(tenant.configuration.maxFileSize)-byte limit.")
        }
        let form = try MultipartForm(contentType: request.headers[.contentType], body: Array(buffer: body))
        guard let json = form.part("Json") else { throw QlikErrorResponse.badRequest("The upload has no Json part.") }
        let fields: UploadFields
        do { fields = try JSONDecoder().decode(UploadFields.self, from: Data(json.body)) } catch {
            throw QlikErrorResponse.badRequest("The Json part is not valid JSON: \(error)")
        }
        if let temporary = fields.tempContentFileId {
            return (fields, try await tenant.tempContent(temporary).content, true)
        }
        guard let file = form.part("File") else { throw QlikErrorResponse.badRequest("The upload has no File part and no tempContentFileId.") }
        return (fields, file.body, false)
    }
}
