import Foundation
import Hummingbird

/// `/api/v1/users`: the caller, a user by id, the list with Qlik's `filter` expression, sort and paging, a count, and new users (administrators only).
struct UserRoutes {
    let tenant: Tenant
    let base: BaseURL

    private struct NewUser: Decodable {
        struct Role: Decodable {
            let id: String?
            let name: String?
        }
        let name: String?
        let email: String?
        let subject: String?
        let status: String?
        let assignedRoles: [Role]?
    }

    private struct Count: Encodable { let total: Int }

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("users/me") { request, context in
            let user = try context.requireUser()
            return try JSONResponse.make(UserView(user, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.get("users/actions/count") { _, _ in
            try JSONResponse.make(Count(total: await tenant.usersByCreation.count))
        }
        group.get("users/:userId") { request, context in
            let id = try context.parameters.require("userId")
            guard let user = await tenant.users[id] else { throw QlikErrorResponse.notFound("No user with id \(id).") }
            return try JSONResponse.make(UserView(user, tenantID: tenant.tenantID, origin: base.origin(of: request)))
        }
        group.get("users") { request, _ in
            let paging = try Paging(request, defaultLimit: 20)
            let query = request.uri.queryParameters
            var users = await tenant.usersByCreation
            if let text = query["filter"].map(String.init), !text.isEmpty {
                let filter = try UserFilter.parse(text)
                users = users.filter { filter.matches($0, roles: UserView.roles(of: $0)) }
            }
            // The filters Qlik kept from before `filter`: exact matches on one attribute.
            if let email = query["email"].map(String.init) { users = users.filter { $0.email.caseInsensitiveCompare(email) == .orderedSame } }
            if let status = query["status"].map(String.init) { users = users.filter { $0.status == status } }
            if let subject = query["subject"].map(String.init) { users = users.filter { $0.subject == subject } }
            if let sort = query["sort"].map(String.init) { users = try Self.sorted(users, by: sort) }
            // Users are only ever added, so a user's place in the chosen order is a cursor that stays valid while nothing is re-sorted.
            let page = paging.page(Array(users.enumerated()), sequence: { $0.offset + 1 })
            let origin = base.origin(of: request)
            let total = query["totalResults"] == "true" ? users.count : nil
            return try JSONResponse.make(UserView.Page(data: page.items.map { UserView($0.element, tenantID: tenant.tenantID, origin: origin) },
                                                       links: Paging.links(request, base: base, next: page.next, prev: page.prev), totalResults: total))
        }
        group.post("users") { request, context in
            let admin = try context.requireAdmin("Creating users")
            let body = try await JSONResponse.decode(NewUser.self, from: request)
            guard let name = body.name, !name.isEmpty, let email = body.email, email.contains("@") else {
                throw QlikErrorResponse.badRequest("name and email (an e-mail address) are required.")
            }
            let status = body.status ?? "invited"
            guard ["active", "invited", "disabled"].contains(status) else { throw QlikErrorResponse.badRequest("status must be active, invited or disabled; got '\(status)'.") }
            if await tenant.usersByCreation.contains(where: { $0.email.caseInsensitiveCompare(email) == .orderedSame }) {
                throw QlikErrorResponse.conflict("A user with the e-mail address \(email) already exists.")
            }
            var roles: [String] = []
            for role in body.assignedRoles ?? [] {
                guard let known = UserView.Role.defaults.values.first(where: { $0.name == role.name || $0.id == role.id }) else {
                    throw QlikErrorResponse.badRequest("assignedRoles names a role this tenant does not have: \(role.name ?? role.id ?? "(none)"); roles: \(UserView.Role.defaults.keys.sorted().joined(separator: ", ")).")
                }
                roles.append(known.name)
            }
            let user = await tenant.addUser(name: name, email: email, status: status, roles: roles)
            await tenant.recordAudit("com.qlik.v1.user.created", source: "com.qlik/users", userID: admin.id, data: ["id": user.id, "name": user.name])
            return try JSONResponse.make(UserView(user, tenantID: tenant.tenantID, origin: base.origin(of: request)), status: .created)
        }
    }

    private static func sorted(_ users: [SandboxUser], by sort: String) throws(QlikErrorResponse) -> [SandboxUser] {
        let descending = sort.hasPrefix("-")
        let field = sort.hasPrefix("-") || sort.hasPrefix("+") ? String(sort.dropFirst()) : sort
        let key: (SandboxUser) -> String
        switch field {
        case "name": key = { $0.name.lowercased() }
        case "id", "_id": key = \.id
        case "status": key = \.status
        case "subject": key = \.subject
        case "email": key = { $0.email.lowercased() }
        case "createdAt": key = { JSONResponse.timestamp($0.createdAt) }
        case "tenantId", "clientId", "inviteExpiry": return users
        default: throw .badRequest("sort must be name, id, status, subject, email or createdAt, with + or -; got '\(sort)'.")
        }
        return users.enumerated().sorted { left, right in
            let (a, b) = (key(left.element), key(right.element))
            return a == b ? left.offset < right.offset : (a < b) != descending
        }.map(\.element)
    }
}
