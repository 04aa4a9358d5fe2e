import Foundation
import Hummingbird

/// The REST resources under /api/v1, as Qlik Cloud serves them.
struct RESTRoutes {
    let tenant: Tenant
    let base: BaseURL

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("users/me") { request, context in
            let user = try context.requireUser()
            return try JSONResponse.make(UserView(user, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.get("users") { request, _ in
            let paging = try Paging(request, defaultLimit: 20)
            // Users are only ever added, at the end of this order, so a user's place in it is a cursor that stays valid.
            let users = await tenant.usersByCreation
            let page = paging.page(Array(users.enumerated()), sequence: { $0.offset + 1 })
            let origin = base.origin(of: request)
            return try JSONResponse.make(ListEnvelope(data: page.items.map { UserView($0.element, tenantID: tenant.tenantID, origin: origin) },
                                                      links: Paging.links(request, base: base, next: page.next, prev: page.prev)))
        }
        registerSpaces(on: group)
        registerItems(on: group)
        registerApps(on: group)
        DataFileRoutes(tenant: tenant, base: base).register(on: group)
        ReloadRoutes(tenant: tenant, base: base).register(on: group)
        TempContentRoutes(tenant: tenant, base: base).register(on: group)
        LineageGraphRoutes(tenant: tenant).register(on: group)
    }

    private func registerSpaces(on group: RouterGroup<SandboxContext>) {
        group.get("spaces") { request, _ in
            let paging = try Paging(request, defaultLimit: 10)
            let query = request.uri.queryParameters
            var spaces = await tenant.spaces
            if let name = query["name"].map(String.init) { spaces = spaces.filter { $0.name.localizedCaseInsensitiveContains(name) } }
            if let types = query["type"].map({ $0.split(separator: ",").map(String.init) }) {
                let known: Set = ["shared", "managed", "data"]
                guard types.allSatisfy(known.contains) else { throw QlikErrorResponse.badRequest("type must be shared, managed or data.") }
                spaces = spaces.filter { types.contains($0.type) }
            }
            let page = paging.page(spaces, sequence: \.sequence)
            let origin = base.origin(of: request)
            return try JSONResponse.make(ListEnvelope(
                data: page.items.map { SpaceView($0, tenantID: tenant.tenantID, origin: origin) },
                links: Paging.links(request, base: base, next: page.next, prev: page.prev),
                meta: ListMeta(count: spaces.count)))
        }
        group.get("spaces/:spaceId") { request, context in
            let id = try context.parameters.require("spaceId")
            guard let space = await tenant.spaces.first(where: { $0.id == id }) else {
                throw QlikErrorResponse.notFound("No space with id \(id).")
            }
            return try JSONResponse.make(SpaceView(space, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
    }

    private func registerItems(on group: RouterGroup<SandboxContext>) {
        group.get("items") { request, _ in
            let paging = try Paging(request, defaultLimit: 10)
            let query = request.uri.queryParameters
            if let type = query["resourceType"], !type.split(separator: ",").allSatisfy({ $0 == "app" }) {
                // The sandbox holds apps only; other resource types have no items here.
                return try JSONResponse.make(ListEnvelope<ItemView>(data: [], links: Paging.links(request, base: base, next: nil, prev: nil)))
            }
            var apps = await tenant.apps
            if let space = query["spaceId"].map(String.init) {
                apps = apps.filter { space == "personal" ? $0.spaceID == nil : $0.spaceID == space }
            }
            if let name = query["name"].map(String.init) { apps = apps.filter { $0.name.localizedCaseInsensitiveContains(name) } }
            if let resourceID = query["resourceId"].map(String.init) { apps = apps.filter { $0.id == resourceID } }
            let page = paging.page(apps, sequence: \.sequence)
            let origin = base.origin(of: request)
            return try JSONResponse.make(ListEnvelope(
                data: page.items.map { ItemView($0, tenantID: tenant.tenantID, origin: origin) },
                links: Paging.links(request, base: base, next: page.next, prev: page.prev)))
        }
    }

    private struct CreateApp: Decodable {
        struct Attributes: Decodable {
            let name: String?
            let description: String?
            let spaceId: String?
        }
        let attributes: Attributes?
    }

    private func registerApps(on group: RouterGroup<SandboxContext>) {
        group.post("apps") { request, context in
            let user = try context.requireUser()
            let body = try await JSONResponse.decode(CreateApp.self, from: request)
            guard let name = body.attributes?.name, !name.isEmpty else { throw QlikErrorResponse.badRequest("attributes.name is required.") }
            if let space = body.attributes?.spaceId, await !tenant.spaces.contains(where: { $0.id == space }) {
                throw QlikErrorResponse.notFound("No space with id \(space).")
            }
            let app = await tenant.addApp(name: name, description: body.attributes?.description ?? "", spaceID: body.attributes?.spaceId, ownerID: user.id)
            return try JSONResponse.make(AppView(app))
        }
        group.get("apps/:appId") { _, context in
            let id = try context.parameters.require("appId")
            guard let app = await tenant.app(id) else { throw QlikErrorResponse.notFound("No app with id \(id).") }
            return try JSONResponse.make(AppView(app))
        }
        group.put("apps/:appId") { request, context in
            let id = try context.parameters.require("appId")
            let body = try await JSONResponse.decode(CreateApp.self, from: request)
            guard let app = await tenant.updateApp(id, name: body.attributes?.name, description: body.attributes?.description) else {
                throw QlikErrorResponse.notFound("No app with id \(id).")
            }
            return try JSONResponse.make(AppView(app))
        }
        group.delete("apps/:appId") { _, context in
            let id = try context.parameters.require("appId")
            guard await tenant.deleteApp(id) else { throw QlikErrorResponse.notFound("No app with id \(id).") }
            return Response(status: .ok)
        }
    }
}
