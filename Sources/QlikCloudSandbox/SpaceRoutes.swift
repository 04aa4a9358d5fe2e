import Foundation
import Hummingbird

/// `/api/v1/spaces` and their assignments: list (name, type, ownerId filters, sort), read, create, change, delete;
/// who holds which roles in a space.
struct SpaceRoutes {
    let tenant: Tenant
    let base: BaseURL

    private struct NewSpace: Decodable {
        let name: String?
        let type: String?
        let description: String?
    }

    private struct SpaceUpdate: Decodable {
        let name: String?
        let description: String?
        let ownerId: String?
    }

    private struct Patch: Decodable {
        let op: String
        let path: String
        let value: String
    }

    private struct NewAssignment: Decodable {
        let assigneeId: String?
        let roles: [String]?
        let type: String?
    }

    private struct AssignmentUpdate: Decodable { let roles: [String]? }

    /// The role a user needs to create a space of each type.
    private static let creatorRole = ["shared": "SharedSpaceCreator", "managed": "ManagedSpaceCreator", "data": "DataSpaceCreator"]

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("spaces") { request, context in
            let paging = try Paging(request, defaultLimit: 10)
            let query = request.uri.queryParameters
            // The spaces the caller sees (ContentAccess): owned, assigned, or all of a kind for its administrators.
            let visible = await tenant.visibleSpaceIDs(to: try context.requireUser())
            var spaces = await tenant.spaces.filter { visible.contains($0.id) }
            if let name = query["name"].map(String.init) { spaces = spaces.filter { $0.name.localizedCaseInsensitiveContains(name) } }
            if let types = query["type"].map({ $0.split(separator: ",").map(String.init) }) {
                let known: Set = ["shared", "managed", "data"]
                guard types.allSatisfy(known.contains) else { throw QlikErrorResponse.badRequest("type must be shared, managed or data.") }
                spaces = spaces.filter { types.contains($0.type) }
            }
            if let owner = query["ownerId"].map(String.init) { spaces = spaces.filter { $0.ownerID == owner } }
            if let sort = query["sort"].map(String.init) {
                spaces = try Self.sorted(spaces, by: sort)
                let page = paging.page(Array(spaces.enumerated()), sequence: { $0.offset + 1 })
                return try Self.list(page.items.map(\.element), total: spaces.count, next: page.next, prev: page.prev, request: request, base: base, tenant: tenant)
            }
            let page = paging.page(spaces, sequence: \.sequence)
            return try Self.list(page.items, total: spaces.count, next: page.next, prev: page.prev, request: request, base: base, tenant: tenant)
        }
        group.get("spaces/:spaceId") { request, context in
            let space = try await tenant.visibleSpace(try context.parameters.require("spaceId"), to: try context.requireUser())
            return try JSONResponse.make(SpaceView(space, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.post("spaces") { request, context in
            let user = try context.requireUser()
            let body = try await JSONResponse.decode(NewSpace.self, from: request)
            let name = try Self.spaceName(body.name)
            guard let type = body.type, let role = Self.creatorRole[type] else { throw QlikErrorResponse.badRequest("type must be shared, managed or data.") }
            guard user.isTenantAdmin || (user.roles ?? []).contains(role) else {
                throw QlikErrorResponse.forbidden("Creating a \(type) space needs the \(role) role; the caller does not have it.")
            }
            let space = try await tenant.createSpace(name: name, type: type, description: body.description ?? "", ownerID: user.id)
            await tenant.recordAudit("com.qlik.v1.space.created", source: "com.qlik/spaces", userID: user.id, data: ["id": space.id, "name": space.name])
            return try JSONResponse.make(SpaceView(space, tenantID: tenant.tenantID, origin: base.origin(of: request)), status: .created)
        }
        group.patch("spaces/:spaceId") { request, context in
            let id = try context.parameters.require("spaceId")
            _ = try await Self.requireManager(context, of: id, tenant: tenant)
            var name: String?, description: String?, owner: String?
            for patch in try await JSONResponse.decode([Patch].self, from: request) {
                guard patch.op == "replace" else { throw QlikErrorResponse.badRequest("op must be replace; got '\(patch.op)'.") }
                switch patch.path {
                case "/name": name = try Self.spaceName(patch.value)
                case "/description": description = patch.value
                case "/ownerId": owner = patch.value
                default: throw QlikErrorResponse.badRequest("path must be /name, /description or /ownerId; got '\(patch.path)'.")
                }
            }
            let space = try await tenant.updateSpace(id, name: name, description: description, ownerID: owner)
            return try JSONResponse.make(SpaceView(space, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.put("spaces/:spaceId") { request, context in
            let id = try context.parameters.require("spaceId")
            _ = try await Self.requireManager(context, of: id, tenant: tenant)
            let body = try await JSONResponse.decode(SpaceUpdate.self, from: request)
            let space = try await tenant.updateSpace(id, name: try body.name.map { try Self.spaceName($0) }, description: body.description, ownerID: body.ownerId)
            return try JSONResponse.make(SpaceView(space, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.delete("spaces/:spaceId") { _, context in
            let id = try context.parameters.require("spaceId")
            let user = try await Self.requireManager(context, of: id, tenant: tenant)
            try await tenant.deleteSpace(id)
            await tenant.recordAudit("com.qlik.v1.space.deleted", source: "com.qlik/spaces", userID: user.id, data: ["id": id])
            return Response(status: .noContent)
        }
        registerAssignments(on: group)
    }

    private func registerAssignments(on group: RouterGroup<SandboxContext>) {
        group.get("spaces/:spaceId/assignments") { request, context in
            let id = try context.parameters.require("spaceId")
            _ = try await tenant.visibleSpace(id, to: try context.requireUser())
            let paging = try Paging(request, defaultLimit: 10)
            var assignments = await tenant.assignments(of: id)
            let query = request.uri.queryParameters
            if let type = query["type"].map(String.init) { assignments = assignments.filter { $0.type == type } }
            if let assignee = query["assigneeId"].map(String.init) { assignments = assignments.filter { $0.assigneeID == assignee } }
            let page = paging.page(assignments, sequence: \.sequence)
            let origin = base.origin(of: request)
            return try JSONResponse.make(ListEnvelope(data: page.items.map { SpaceAssignmentView($0, tenantID: tenant.tenantID, origin: origin) },
                                                      links: Paging.links(request, base: base, next: page.next, prev: page.prev),
                                                      meta: ListMeta(count: assignments.count)))
        }
        group.get("spaces/:spaceId/assignments/:assignmentId") { request, context in
            let id = try context.parameters.require("spaceId"), assignmentID = try context.parameters.require("assignmentId")
            _ = try await tenant.visibleSpace(id, to: try context.requireUser())
            guard let assignment = await tenant.assignments(of: id).first(where: { $0.id == assignmentID }) else {
                throw QlikErrorResponse.notFound("No assignment with id \(assignmentID) in space \(id).")
            }
            return try JSONResponse.make(SpaceAssignmentView(assignment, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.post("spaces/:spaceId/assignments") { request, context in
            let id = try context.parameters.require("spaceId")
            let user = try await Self.requireManager(context, of: id, tenant: tenant)
            let body = try await JSONResponse.decode(NewAssignment.self, from: request)
            guard let assignee = body.assigneeId, !assignee.isEmpty else { throw QlikErrorResponse.badRequest("assigneeId is required.") }
            let type = body.type ?? "user"
            guard ["user", "group"].contains(type) else { throw QlikErrorResponse.badRequest("type must be user or group; got '\(type)'.") }
            let assignment = try await tenant.assign(assignee, type: type, roles: body.roles ?? [], to: id, by: user.id)
            await tenant.recordAudit("com.qlik.v1.space.assignment.created", source: "com.qlik/spaces", userID: user.id,
                                     data: ["spaceId": id, "assigneeId": assignee, "roles": assignment.roles.joined(separator: ",")])
            return try JSONResponse.make(SpaceAssignmentView(assignment, tenantID: tenant.tenantID, origin: base.origin(of: request)), status: .created)
        }
        group.delete("spaces/:spaceId/assignments/:assignmentId") { _, context in
            let id = try context.parameters.require("spaceId"), assignmentID = try context.parameters.require("assignmentId")
            let user = try await Self.requireManager(context, of: id, tenant: tenant)
            guard await tenant.removeAssignment(assignmentID, from: id) else {
                throw QlikErrorResponse.notFound("No assignment with id \(assignmentID) in space \(id).")
            }
            await tenant.recordAudit("com.qlik.v1.space.assignment.deleted", source: "com.qlik/spaces", userID: user.id,
                                     data: ["spaceId": id, "assignmentId": assignmentID])
            return Response(status: .noContent)
        }
    }

    /// A space's name as given at creation or in a rename: 1 to 256 characters, none of those Qlik forbids.
    private static func spaceName(_ given: String?) throws(QlikErrorResponse) -> String {
        guard let name = given?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 256,
              !name.contains(where: { "\"*?<>/|\\:".contains($0) }) else {
            throw .badRequest("name is required: 1 to 256 characters, none of \" * ? < > / | \\ :.")
        }
        return name
    }

    /// The space's owner, or a tenant administrator: who may change a space and its members.
    private static func requireManager(_ context: SandboxContext, of spaceID: String, tenant: Tenant) async throws -> SandboxUser {
        let user = try context.requireUser()
        // A space the caller does not see is one that does not exist; one it sees but does not manage is forbidden.
        let space = try await tenant.visibleSpace(spaceID, to: user)
        guard user.isTenantAdmin || space.ownerID == user.id else {
            throw QlikErrorResponse.forbidden("Changing space \(space.name) needs its owner or the TenantAdmin role.")
        }
        return user
    }

    private static func list(_ spaces: [Space], total: Int, next: String?, prev: String?, request: Request, base: BaseURL, tenant: Tenant) throws -> Response {
        let origin = base.origin(of: request)
        return try JSONResponse.make(ListEnvelope(data: spaces.map { SpaceView($0, tenantID: tenant.tenantID, origin: origin) },
                                                  links: Paging.links(request, base: base, next: next, prev: prev), meta: ListMeta(count: total)))
    }

    private static func sorted(_ spaces: [Space], by sort: String) throws(QlikErrorResponse) -> [Space] {
        let descending = sort.hasPrefix("-")
        let field = sort.hasPrefix("-") || sort.hasPrefix("+") ? String(sort.dropFirst()) : sort
        let key: (Space) -> String
        switch field {
        case "name": key = { $0.name.lowercased() }
        case "type": key = \.type
        case "ownerId": key = \.ownerID
        case "createdAt": key = { JSONResponse.timestamp($0.createdAt) }
        case "updatedAt": key = { JSONResponse.timestamp($0.updatedAt) }
        default: throw .badRequest("sort must be name, type, ownerId, createdAt or updatedAt, with + or -; got '\(sort)'.")
        }
        return spaces.enumerated().sorted { left, right in
            let (a, b) = (key(left.element), key(right.element))
            return a == b ? left.offset < right.offset : (a < b) != descending
        }.map(\.element)
    }
}

/// `Assignment` (qlik-api-ts spaces).
struct SpaceAssignmentView: Encodable, Sendable {
    struct Links: Encodable, Sendable {
        let `self`: Link
        let space: Link
    }
    let id: String
    let assigneeId: String
    let type: String
    let roles: [String]
    let spaceId: String
    let tenantId: String
    let createdAt: Date
    let createdBy: String
    let updatedAt: Date
    let updatedBy: String
    let links: Links

    init(_ assignment: SpaceAssignment, tenantID: String, origin: String) {
        id = assignment.id
        assigneeId = assignment.assigneeID
        type = assignment.type
        roles = assignment.roles
        spaceId = assignment.spaceID
        tenantId = tenantID
        createdAt = assignment.createdAt
        createdBy = assignment.createdBy
        updatedAt = assignment.updatedAt
        updatedBy = assignment.updatedBy
        links = Links(self: Link(href: "\(origin)/api/v1/spaces/\(assignment.spaceID)/assignments/\(assignment.id)"),
                      space: Link(href: "\(origin)/api/v1/spaces/\(assignment.spaceID)"))
    }
}
