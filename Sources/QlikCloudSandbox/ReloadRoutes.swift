import Foundation
import Hummingbird
import QVD

/// `/api/v1/reloads` and the app endpoints a reload touches: scripts, data/metadata, data/lineage.
struct ReloadRoutes {
    let tenant: Tenant
    let base: BaseURL

    struct ReloadView: Encodable, Sendable {
        struct Links: Encodable, Sendable { let `self`: Link }
        let id: String
        let appId: String
        let tenantId: String
        let userId: String
        let type: String
        let status: String
        let partial: Bool
        let creationTime: Date
        let startTime: Date?
        let endTime: Date?
        let duration: String?
        let log: String
        let errorCode: String?
        let errorMessage: String?
        let links: Links

        init(_ reload: Reload, tenantID: String, origin: String) {
            id = reload.id
            appId = reload.appID
            tenantId = tenantID
            userId = reload.userID
            type = "hub"
            status = reload.status
            partial = reload.partial
            creationTime = reload.creationTime
            startTime = reload.startTime
            endTime = reload.endTime
            if let start = reload.startTime, let end = reload.endTime {
                duration = "\(Int(end.timeIntervalSince(start) * 1000))ms"
            } else {
                duration = nil
            }
            log = reload.log
            errorCode = reload.errorCode
            errorMessage = reload.errorMessage
            links = Links(self: Link(href: "\(origin)/api/v1/reloads/\(reload.id)"))
        }
    }

    private struct CreateReload: Decodable {
        let appId: String
        let partial: Bool?
    }

    private struct NewScript: Decodable {
        let script: String
        let versionMessage: String?
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.post("reloads") { request, context in
            let user = try context.requireUser()
            let body = try await JSONResponse.decode(CreateReload.self, from: request)
            _ = try await tenant.visibleApp(body.appId, to: user)
            let reload = try await tenant.queueReload(appID: body.appId, userID: user.id, partial: body.partial ?? false)
            await tenant.recordAudit("com.qlik.v1.reload.created", source: "com.qlik/reloads", userID: user.id, data: ["id": reload.id, "appId": body.appId])
            return try JSONResponse.make(ReloadView(reload, tenantID: tenant.tenantID, origin: base.origin(of: request)), status: .created)
        }
        group.get("reloads") { request, context in
            let paging = try Paging(request, defaultLimit: 10)
            // Only the reloads of apps the caller sees.
            let apps = Set(await tenant.visibleApps(to: try context.requireUser()).map(\.id))
            var reloads = await tenant.reloads.filter { apps.contains($0.appID) }
            if let app = request.uri.queryParameters["appId"].map(String.init) { reloads = reloads.filter { $0.appID == app } }
            // Newest first, as Qlik lists reloads.
            let page = paging.page(reloads.reversed(), sequence: { -$0.sequence })
            let origin = base.origin(of: request)
            return try JSONResponse.make(ListEnvelope(data: page.items.map { ReloadView($0, tenantID: tenant.tenantID, origin: origin) },
                                                      links: Paging.links(request, base: base, next: page.next, prev: page.prev)))
        }
        group.get("reloads/:id") { request, context in
            let id = try context.parameters.require("id")
            guard let reload = await tenant.reload(id), await tenant.visibleApp(reload.appID, toUserID: try context.requireUser().id) != nil else {
                throw QlikErrorResponse.notFound("No reload with id \(id).")
            }
            return try JSONResponse.make(ReloadView(reload, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.post("reloads/:id/actions/cancel") { _, context in
            let id = try context.parameters.require("id")
            guard let reload = await tenant.reload(id), await tenant.visibleApp(reload.appID, toUserID: try context.requireUser().id) != nil else {
                throw QlikErrorResponse.notFound("No reload with id \(id).")
            }
            try await tenant.cancelReload(id)
            return Response(status: .noContent)
        }
        group.post("apps/:appId/scripts") { request, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("appId")
            _ = try await tenant.visibleApp(id, to: user)
            let body = try await JSONResponse.decode(NewScript.self, from: request, limit: 16 << 20)
            guard let version = await tenant.setScript(id, script: body.script, message: body.versionMessage ?? "", userID: user.id) else {
                throw QlikErrorResponse.notFound("No app with id \(id).")
            }
            return try JSONResponse.make(["scriptId": version.id], status: .ok)
        }
        group.get("apps/:appId/scripts/current") { _, context in
            let id = try context.parameters.require("appId")
            let app = try await tenant.visibleApp(id, to: try context.requireUser())
            return try JSONResponse.make(["script": app.script, "scriptId": app.scriptVersions.last?.id ?? ""])
        }
        group.get("apps/:appId/data/metadata") { _, context in
            let id = try context.parameters.require("appId")
            let app = try await tenant.visibleApp(id, to: try context.requireUser())
            return try JSONResponse.make(DataMetadata(app.dataModel))
        }
        group.get("apps/:appId/data/lineage") { _, context in
            let id = try context.parameters.require("appId")
            let app = try await tenant.visibleApp(id, to: try context.requireUser())
            return try JSONResponse.make(Self.lineage(app.script))
        }
    }

    struct LineageEntry: Encodable, Sendable {
        let discriminator: String
        let statement: String
    }

    /// Where the app's data comes from, as its script says: one entry per source.
    static func lineage(_ script: String) -> [LineageEntry] {
        LoadScript.statements(script).compactMap { statement in
            let text = statement.text
            if let open = text.range(of: "[lib://", options: .caseInsensitive), let close = text[open.upperBound...].firstIndex(of: "]") {
                let path = "lib://" + text[open.upperBound..<close]
                return LineageEntry(discriminator: path, statement: "")
            }
            if text.uppercased().contains("INLINE") { return LineageEntry(discriminator: "INLINE;", statement: "") }
            return nil
        }
    }
}

/// `GET /apps/{id}/data/metadata`: the data model's tables and fields.
struct DataMetadata: Encodable, Sendable {
    struct Table: Encodable, Sendable {
        let name: String
        let no_of_rows: Int
        let no_of_fields: Int
        let no_of_key_fields: Int
        let is_loose: Bool
        let is_system: Bool
        let is_semantic: Bool
        let byte_size: Int
    }

    struct Field: Encodable, Sendable {
        let name: String
        let src_tables: [String]
        let is_numeric: Bool
        let is_system: Bool
        let is_hidden: Bool
        let is_semantic: Bool
        let distinct_only: Bool
        let cardinal: Int
        let total_count: Int
        let tags: [String]
        let byte_size: Int
    }

    let tables: [Table]
    let fields: [Field]
    let has_section_access: Bool
    let is_direct_query_mode: Bool
    let static_byte_size: Int

    init(_ model: DataModel) {
        var fieldTables: [String: [String]] = [:]
        var fieldValues: [String: [QVDValueBox]] = [:]
        var order: [String] = []
        for table in model.tables {
            for (index, field) in table.fields.enumerated() {
                if fieldTables[field] == nil { order.append(field) }
                fieldTables[field, default: []].append(table.name)
                fieldValues[field, default: []] += table.columns[index].map(QVDValueBox.init)
            }
        }
        let keyCounts = fieldTables.filter { $0.value.count > 1 }
        tables = model.tables.map { table in
            Table(name: table.name, no_of_rows: table.rowCount, no_of_fields: table.fields.count,
                  no_of_key_fields: table.fields.filter { keyCounts[$0] != nil }.count, is_loose: false, is_system: false, is_semantic: false,
                  byte_size: table.rowCount * max(1, table.fields.count))
        }
        fields = order.map { name in
            let values = fieldValues[name] ?? []
            let present = values.filter { !$0.value.isNull }
            let numeric = !present.isEmpty && present.allSatisfy { $0.value.number != nil }
            // Tagged as the engine tags the field (dates too), with $key when tables share it.
            var tags = EngineViews.tags(present.map(\.value))
            if (fieldTables[name]?.count ?? 0) > 1 { tags.insert("$key", at: 0) }
            return Field(name: name, src_tables: fieldTables[name] ?? [], is_numeric: numeric, is_system: false, is_hidden: false,
                         is_semantic: false, distinct_only: false, cardinal: Set(present).count, total_count: present.count,
                         tags: tags, byte_size: Set(present).count * 8)
        }
        has_section_access = false
        is_direct_query_mode = false
        static_byte_size = tables.reduce(0) { $0 + $1.byte_size }
    }
}

/// Hashable wrapper so distinct values can be counted.
struct QVDValueBox: Hashable {
    let value: QlikValue
    init(_ value: QlikValue) { self.value = value }
}
