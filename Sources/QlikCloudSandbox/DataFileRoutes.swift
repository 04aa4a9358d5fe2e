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
        let size: Int
        let allowedExtensions: [String]
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
            let views = connections.map { ConnectionView(id: $0.id, name: $0.name, type: "qix-datafiles.exe", spaceId: $0.spaceID) }
            return try JSONResponse.make(ListEnvelope(data: views, links: Paging.links(request, base: base, next: nil, prev: nil, cursorName: "page")))
        }
        group.get("data-files") { request, _ in
            let paging = try Paging(request, defaultLimit: 20, cursorName: "page")
            var files = await tenant.dataFiles
            let query = request.uri.queryParameters
            if let name = query["name"].map(String.init) { files = files.filter { $0.name == name } }
            if let connection = query["connectionId"].map(String.init) { files = files.filter { $0.connectionID == connection } }
            let page = paging.page(files, sequence: \.sequence)
            return try JSONResponse.make(ListEnvelope(data: page.items.map(DataFileView.init),
                                                      links: Paging.links(request, base: base, next: page.next, prev: page.prev, cursorName: "page")))
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
            let (fields, content, large) = try await upload(request)
            let file = try await tenant.replaceDataFile(id, name: fields.name, content: content, large: large)
            return try JSONResponse.make(DataFileView(file), status: .created)
        }
        group.get("data-files/:id") { _, context in
            let id = try context.parameters.require("id")
            guard let file = await tenant.dataFile(id) else { throw QlikErrorResponse.notFound("No data file with id \(id).") }
            return try JSONResponse.make(DataFileView(file))
        }
        group.delete("data-files/:id") { _, context in
            let id = try context.parameters.require("id")
            guard await tenant.deleteDataFile(id) else { throw QlikErrorResponse.notFound("No data file with id \(id).") }
            return Response(status: .noContent)
        }
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
