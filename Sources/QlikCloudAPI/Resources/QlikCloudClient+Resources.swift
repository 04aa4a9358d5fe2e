import Foundation
public import NIOCore
import NIOFoundationCompat

/// Qlik's REST resources as typed calls.
extension QlikCloudClient {
    // MARK: Users, spaces, items

    /// Who the credentials act for: the cheapest authenticated call.
    public func me() async throws(QlikAPIError) -> QlikUser {
        try await get(QlikUser.self, "/api/v1/users/me")
    }

    public func spaces(name: String? = nil, type: String? = nil, limit: Int = 100) -> PagedList<Space> {
        PagedList(client: self, path: "/api/v1/spaces", query: [("limit", String(limit)), ("name", name), ("type", type)])
    }

    public func space(id: String) async throws(QlikAPIError) -> Space {
        try await get(Space.self, "/api/v1/spaces/\(Self.escape(id))")
    }

    public func items(resourceType: String? = "app", spaceID: String? = nil, name: String? = nil, limit: Int = 100) -> PagedList<Item> {
        PagedList(client: self, path: "/api/v1/items",
                  query: [("resourceType", resourceType), ("spaceId", spaceID), ("name", name), ("limit", String(limit))])
    }

    // MARK: Apps

    public func createApp(name: String, spaceID: String? = nil, description: String? = nil) async throws(QlikAPIError) -> App {
        var attributes: [String: String] = ["name": name]
        attributes["spaceId"] = spaceID
        attributes["description"] = description
        let response = try await send(.post, "/api/v1/apps", body: .bytes(Self.json(["attributes": attributes])), contentType: "application/json")
        return try decode(App.self, response, operation: "POST /api/v1/apps")
    }

    public func app(id: String) async throws(QlikAPIError) -> App {
        try await get(App.self, "/api/v1/apps/\(Self.escape(id))")
    }

    public func updateApp(id: String, name: String? = nil, description: String? = nil) async throws(QlikAPIError) -> App {
        var attributes: [String: String] = [:]
        attributes["name"] = name
        attributes["description"] = description
        let response = try await send(.put, "/api/v1/apps/\(Self.escape(id))", body: .bytes(Self.json(["attributes": attributes])), contentType: "application/json")
        return try decode(App.self, response, operation: "PUT /api/v1/apps/{id}")
    }

    public func deleteApp(id: String) async throws(QlikAPIError) {
        _ = try await send(.delete, "/api/v1/apps/\(Self.escape(id))")
    }

    public func dataModelMetadata(appID: String) async throws(QlikAPIError) -> DataModelMetadata {
        try await get(DataModelMetadata.self, "/api/v1/apps/\(Self.escape(appID))/data/metadata")
    }

    public func lineage(appID: String) async throws(QlikAPIError) -> [LineageInfo] {
        try await get([LineageInfo].self, "/api/v1/apps/\(Self.escape(appID))/data/lineage")
    }

    public func scriptHistory(appID: String) async throws(QlikAPIError) -> ScriptMetaList {
        try await get(ScriptMetaList.self, "/api/v1/apps/\(Self.escape(appID))/scripts")
    }

    /// The app's load script (`current`), or a named version.
    public func script(appID: String, version: String = "current") async throws(QlikAPIError) -> ScriptVersion {
        try await get(ScriptVersion.self, "/api/v1/apps/\(Self.escape(appID))/scripts/\(Self.escape(version))")
    }

    public func setScript(appID: String, script: String, versionMessage: String? = nil) async throws(QlikAPIError) {
        var body = ["script": script]
        body["versionMessage"] = versionMessage
        _ = try await send(.post, "/api/v1/apps/\(Self.escape(appID))/scripts", body: .bytes(Self.json(body)), contentType: "application/json")
    }

    // MARK: Data files

    public func dataFiles(name: String? = nil, connectionID: String? = nil, limit: Int = 100) -> PagedList<DataFile> {
        // Without a connection Qlik lists only the caller's personal space; the client means every space it can see.
        PagedList(client: self, path: "/api/v1/data-files", query: [("name", name), ("connectionId", connectionID),
                                                                   ("includeAllSpaces", connectionID == nil ? "true" : nil), ("limit", String(limit))])
    }

    public func dataFile(id: String) async throws(QlikAPIError) -> DataFile {
        try await get(DataFile.self, "/api/v1/data-files/\(Self.escape(id))")
    }

    public func dataFileQuotas() async throws(QlikAPIError) -> DataFileQuotas {
        try await get(DataFileQuotas.self, "/api/v1/data-files/quotas")
    }

    public func dataFileConnections(spaceID: String? = nil) -> PagedList<DataFileConnection> {
        PagedList(client: self, path: "/api/v1/data-files/connections", query: [("spaceId", spaceID)])
    }

    /// Creates a data file from `source`, or from an uploaded temporary content when `tempContentID` is given.
    public func uploadDataFile(name: String, source: UploadSource?, connectionID: String? = nil,
                               tempContentID: String? = nil, validator: (@Sendable () -> any UploadValidator)? = nil) async throws(QlikAPIError) -> DataFile {
        var json = ["name": name]
        json["connectionId"] = connectionID
        json["tempContentFileId"] = tempContentID
        let (body, type) = try Self.multipart(json: json, file: source, validator: validator)
        // A POST that creates: not retried on its own (a repeat would answer 409).
        let response = try await send(.post, "/api/v1/data-files", body: body, contentType: type, idempotent: false)
        return try decode(DataFile.self, response, operation: "POST /api/v1/data-files")
    }

    /// Replaces a data file's content in one request: the old content stays until the new one is complete.
    public func replaceDataFile(id: String, name: String? = nil, source: UploadSource?, tempContentID: String? = nil,
                                validator: (@Sendable () -> any UploadValidator)? = nil) async throws(QlikAPIError) -> DataFile {
        var json: [String: String] = [:]
        json["name"] = name
        json["tempContentFileId"] = tempContentID
        let (body, type) = try Self.multipart(json: json, file: source, validator: validator)
        let response = try await send(.put, "/api/v1/data-files/\(Self.escape(id))", body: body, contentType: type)
        return try decode(DataFile.self, response, operation: "PUT /api/v1/data-files/{id}")
    }

    public func deleteDataFile(id: String) async throws(QlikAPIError) {
        _ = try await send(.delete, "/api/v1/data-files/\(Self.escape(id))")
    }

    // MARK: Temporary contents

    /// Uploads bytes for later use (large data files); returns the temporary content's id from `Location`.
    public func uploadTempContent(filename: String, source: UploadSource, ttlSeconds: Int = 3600,
                                  validator: (@Sendable () -> any UploadValidator)? = nil) async throws(QlikAPIError) -> String {
        let length = try source.size()
        let response = try await send(.post, "/api/v1/temp-contents", query: [("filename", filename), ("ttl", String(ttlSeconds))],
                                      body: .stream(length: length, make: { source.chunks(validator: validator) }), contentType: "application/octet-stream", idempotent: false)
        guard let location = response.header("Location") else {
            throw QlikAPIError(kind: .unexpectedResponse, operation: "POST /api/v1/temp-contents", status: response.status,
                               message: "The answer has no Location header naming the temporary content.")
        }
        // The id is requested later with the bearer: a Location on another origin, or outside the Base URL, is refused here.
        let url = try link(location, operation: "Reading the Location of POST /api/v1/temp-contents")
        let path = URLComponents(string: url)?.path ?? ""
        guard let id = path.split(separator: "/").last.map(String.init), !id.isEmpty else {
            throw QlikAPIError(kind: .unexpectedResponse, operation: "POST /api/v1/temp-contents", status: response.status,
                               message: "The answer's Location header names no temporary content.")
        }
        return id
    }

    /// Streams a temporary content's bytes (from `offset`, with a Range request) into `sink`.
    public func downloadTempContent(id: String, offset: Int = 0, into sink: @escaping @Sendable (ByteBuffer) async throws -> Void) async throws(QlikAPIError) {
        let headers: [(name: String, value: String)] = offset > 0 ? [("Range", "bytes=\(offset)-")] : []
        _ = try await stream(.get, "/api/v1/temp-contents/\(Self.escape(id))", headers: headers, into: sink)
    }

    // MARK: Reloads

    public func createReload(appID: String, partial: Bool = false) async throws(QlikAPIError) -> Reload {
        let body = try Self.jsonObject(["appId": appID, "partial": partial])
        let response = try await send(.post, "/api/v1/reloads", body: .bytes(body), contentType: "application/json")
        return try decode(Reload.self, response, operation: "POST /api/v1/reloads")
    }

    public func reload(id: String) async throws(QlikAPIError) -> Reload {
        try await get(Reload.self, "/api/v1/reloads/\(Self.escape(id))")
    }

    public func reloads(appID: String, limit: Int = 100) -> PagedList<Reload> {
        PagedList(client: self, path: "/api/v1/reloads", query: [("appId", appID), ("limit", String(limit))])
    }

    public func cancelReload(id: String) async throws(QlikAPIError) {
        _ = try await send(.post, "/api/v1/reloads/\(Self.escape(id))/actions/cancel", idempotent: true)
    }

    /// Polls a reload until it is final, backing off from `interval` up to five seconds.
    public func waitForReload(id: String, interval: Duration = .milliseconds(200), timeout: Duration = .seconds(3600)) async throws(QlikAPIError) -> Reload {
        let start = ContinuousClock.now
        var wait = interval
        while true {
            let reload = try await self.reload(id: id)
            if reload.status.isFinal { return reload }
            guard ContinuousClock.now - start < timeout else {
                throw QlikAPIError(kind: .unexpectedResponse, operation: "Waiting for reload \(id)", message: "The reload is still \(reload.status.rawValue) after \(timeout).")
            }
            do { try await Task.sleep(for: wait) } catch {
                throw QlikAPIError(kind: .transport(.other("cancelled")), operation: "Waiting for reload \(id)", message: "Waiting was cancelled.")
            }
            wait = min(wait * 2, .seconds(5))
        }
    }

    // MARK: Helpers

    static func escape(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? segment
    }

    static func json(_ value: [String: Any]) throws(QlikAPIError) -> ByteBuffer { try jsonObject(value) }

    static func jsonObject(_ value: [String: Any]) throws(QlikAPIError) -> ByteBuffer {
        do {
            return ByteBuffer(data: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]))
        } catch {
            throw QlikAPIError(kind: .badRequest, operation: "Encoding a request", message: "The request body cannot be encoded: \(error).")
        }
    }

    /// A multipart/form-data body with Qlik's `Json` part and, if given, the `File` part streamed from its source.
    static func multipart(json: [String: String], file: UploadSource?,
                          validator: (@Sendable () -> any UploadValidator)? = nil) throws(QlikAPIError) -> (TransportRequest.Body, String) {
        let boundary = "qlik-connector-" + UUID().uuidString
        var head = ByteBuffer()
        head.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"Json\"\r\nContent-Type: application/json\r\n\r\n")
        var encoded = try jsonObject(json)
        head.writeBuffer(&encoded)
        head.writeString("\r\n")
        var tail = ByteBuffer(string: "--\(boundary)--\r\n")
        guard let file else {
            head.writeBuffer(&tail)
            return (.bytes(head), "multipart/form-data; boundary=\(boundary)")
        }
        head.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"File\"; filename=\"File\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        tail = ByteBuffer(string: "\r\n--\(boundary)--\r\n")
        let length = Int64(head.readableBytes + tail.readableBytes) + (try file.size())
        let prefix = head, suffix = tail
        return (.stream(length: length, make: { file.chunks(prefix: prefix, suffix: suffix, validator: validator) }), "multipart/form-data; boundary=\(boundary)")
    }
}
