import Foundation
import Hummingbird

/// `/api/v1/apps`: create, read, change, copy and delete apps, their script versions and their thumbnail.
/// (Scripts are written and reloads run in ``ReloadRoutes``.)
struct AppRoutes {
    let tenant: Tenant
    let base: BaseURL

    private struct CreateApp: Decodable {
        struct Attributes: Decodable {
            let name: String?
            let description: String?
            let spaceId: String?
        }
        let attributes: Attributes?
    }

    private struct ScriptMeta: Encodable {
        let scriptId: String
        let modifiedTime: Date
        let modifierId: String
        let size: Int
        let versionMessage: String
    }

    /// `ScriptMetaList`
    private struct ScriptList: Encodable {
        let scripts: [ScriptMeta]
        let privileges: [String]
    }

    /// `ScriptVersion`
    private struct ScriptText: Encodable {
        let script: String
        let versionMessage: String
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.post("apps") { request, context in
            let user = try context.requireUser()
            let body = try await JSONResponse.decode(CreateApp.self, from: request)
            guard let name = body.attributes?.name, !name.isEmpty else { throw QlikErrorResponse.badRequest("attributes.name is required.") }
            if let space = body.attributes?.spaceId { _ = try await tenant.visibleSpace(space, to: user) }
            let app = await tenant.addApp(name: name, description: body.attributes?.description ?? "", spaceID: body.attributes?.spaceId, ownerID: user.id)
            await tenant.recordAudit("com.qlik.v1.app.created", source: "com.qlik/engine", userID: user.id, data: ["id": app.id, "name": app.name])
            return try JSONResponse.make(AppView(app))
        }
        group.get("apps/:appId") { _, context in
            let app = try await tenant.visibleApp(try context.parameters.require("appId"), to: try context.requireUser())
            return try JSONResponse.make(AppView(app))
        }
        group.put("apps/:appId") { request, context in
            let id = try context.parameters.require("appId")
            _ = try await tenant.visibleApp(id, to: try context.requireUser())
            let body = try await JSONResponse.decode(CreateApp.self, from: request)
            guard let app = await tenant.updateApp(id, name: body.attributes?.name, description: body.attributes?.description) else {
                throw QlikErrorResponse.notFound("No app with id \(id).")
            }
            return try JSONResponse.make(AppView(app))
        }
        group.delete("apps/:appId") { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("appId")
            _ = try await tenant.visibleApp(id, to: user)
            guard await tenant.deleteApp(id) else { throw QlikErrorResponse.notFound("No app with id \(id).") }
            await tenant.recordAudit("com.qlik.v1.app.deleted", source: "com.qlik/engine", userID: user.id, data: ["id": id])
            return Response(status: .ok)
        }
        group.post("apps/:appId/copy") { request, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("appId")
            let body = try await JSONResponse.decode(CreateApp.self, from: request)
            let source = try await tenant.visibleApp(id, to: user)
            let spaceID = body.attributes?.spaceId ?? source.spaceID
            if let spaceID { _ = try await tenant.visibleSpace(spaceID, to: user) }
            let copy = await tenant.copyApp(source, name: body.attributes?.name ?? source.name, description: body.attributes?.description ?? source.description,
                                            spaceID: spaceID, ownerID: user.id)
            await tenant.recordAudit("com.qlik.v1.app.created", source: "com.qlik/engine", userID: user.id,
                                     data: ["id": copy.id, "name": copy.name, "originAppId": source.id])
            return try JSONResponse.make(AppView(copy))
        }
        group.get("apps/:appId/scripts") { _, context in
            let id = try context.parameters.require("appId")
            let app = try await tenant.visibleApp(id, to: try context.requireUser())
            // Newest first, as Qlik lists an app's script history.
            let versions = app.scriptVersions.reversed().map {
                ScriptMeta(scriptId: $0.id, modifiedTime: $0.modifiedTime, modifierId: $0.modifierID, size: $0.script.utf8.count, versionMessage: $0.message)
            }
            return try JSONResponse.make(ScriptList(scripts: versions, privileges: ["read", "update", "delete"]))
        }
        group.get("apps/:appId/scripts/:scriptId") { _, context in
            let id = try context.parameters.require("appId"), scriptID = try context.parameters.require("scriptId")
            let app = try await tenant.visibleApp(id, to: try context.requireUser())
            guard let version = app.scriptVersions.first(where: { $0.id == scriptID }) else {
                throw QlikErrorResponse.notFound("App \(id) has no script version \(scriptID); GET /apps/\(id)/scripts lists them.")
            }
            return try JSONResponse.make(ScriptText(script: version.script, versionMessage: version.message))
        }
        group.get("apps/:appId/media/thumbnail") { _, context in
            let id = try context.parameters.require("appId")
            let app = try await tenant.visibleApp(id, to: try context.requireUser())
            return Response(status: .ok, headers: [.contentType: "image/png"], body: .init(byteBuffer: ByteBuffer(bytes: Thumbnail.png(for: app.id))))
        }
    }
}
