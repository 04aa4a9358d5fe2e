import Foundation
import Hummingbird
import QlikConnections
import Repository

/// The organization's users: administrators only. An organization always
/// keeps one enabled administrator: the last cannot be demoted, disabled or deleted.
/// An e-mail address is unique in its organization only: another organization
/// may have a user with the same address (a different account).
extension ConnectorService {
    struct NewUser: Decodable {
        let email: String
        let displayName: String?
        let role: String
        let password: String?
    }

    struct UserChange: Decodable {
        let email: String?
        let displayName: String?
        let role: String?
        let disabled: Bool?
        let password: String?
    }

    static func role(_ text: String) throws(APIError) -> UserRole {
        guard let role = UserRole(rawValue: text.lowercased()) else {
            throw APIError.invalid("role", "role '\(text)' is unknown; expected admin, designer or viewer.")
        }
        return role
    }


    func addUserRoutes(to api: RouterGroup<ServiceContext>) {
        let service = self
        let repository = self.repository
        api.get("users") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            return try ServiceJSON.response(try await repository.users(of: principal.organizationID).map(UserView.init))
        }
        api.post("users") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let asked = try await request.decodeJSON(NewUser.self)
            let email = try EmailAddress(asked.email)
            let role = try Self.role(asked.role)
            let password = try asked.password.map { text throws(UserValidationError) in try Password(text) }
            let user = User(organizationID: principal.organizationID, email: email,
                            displayName: asked.displayName?.trimmingCharacters(in: .whitespaces) ?? email.value, role: role)
            let hash: String? = if let password { await service.passwords.hash(password) } else { nil }
            try await Self.emailInUse(user.email) { try await repository.createUser(user, passwordHash: hash, by: service.actor(principal)) }
            return try ServiceJSON.response(UserView(user), status: .created)
        }
        api.get("users/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            return try ServiceJSON.response(UserView(try await repository.user(try Self.userID(context), in: principal.organizationID)))
        }
        api.patch("users/:id") { request, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let change = try await request.decodeJSON(UserChange.self)
            var user = try await repository.user(try Self.userID(context), in: principal.organizationID)
            let wasActiveAdmin = user.role == .admin && !user.disabled
            if let email = change.email { user.email = try EmailAddress(email) }
            if let name = change.displayName { user.displayName = name.trimmingCharacters(in: .whitespaces) }
            if let role = change.role { user.role = try Self.role(role) }
            if let disabled = change.disabled { user.disabled = disabled }
            let password = try change.password.map { text throws(UserValidationError) in try Password(text) }
            if wasActiveAdmin, user.role != .admin || user.disabled, try await repository.administratorCount(of: principal.organizationID) <= 1 {
                throw APIError(.conflict, code: "last_administrator", "This is the organization's last enabled administrator; make another one first.")
            }
            let hash: String? = if let password { await service.passwords.hash(password) } else { nil }
            try await Self.emailInUse(user.email) { try await repository.updateUser(user, passwordHash: hash, by: service.actor(principal)) }
            return try ServiceJSON.response(UserView(user))
        }
        api.delete("users/:id") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let user = try await repository.user(try Self.userID(context), in: principal.organizationID)
            if user.role == .admin, !user.disabled, try await repository.administratorCount(of: principal.organizationID) <= 1 {
                throw APIError(.conflict, code: "last_administrator", "This is the organization's last enabled administrator; make another one first.")
            }
            return try ServiceJSON.response(UserView(try await repository.deleteUser(user.id, in: principal.organizationID, by: service.actor(principal))))
        }
        api.get("users/:id/tokens") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let user = try await repository.user(try Self.userID(context), in: principal.organizationID)
            return try ServiceJSON.response(try await repository.accessTokens(of: user.id).map { AccessTokenView($0) })
        }
        api.delete("users/:id/tokens/:token") { _, context -> Response in
            let principal = try context.requirePrincipal()
            try principal.require(.admin)
            let user = try await repository.user(try Self.userID(context), in: principal.organizationID)
            guard let tokenID = UUID(uuidString: try context.pathParameter("token")) else { throw APIError.notFound("That token") }
            let token = try await repository.revokeAccessToken(AccessTokenID(tokenID), of: user.id, at: Date(), by: service.actor(principal))
            return try ServiceJSON.response(AccessTokenView(token))
        }
    }

    /// A taken address answers 409 naming the field. Addresses are unique per organization, so only
    /// this organization's users can take one: the answer says nothing about other organizations.
    static func emailInUse(_ email: EmailAddress, _ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch RepositoryError.duplicateName {
            throw APIError(.conflict, code: "duplicate_email",
                           "A user of this organization already has the e-mail address '\(email)' (compared without regard to case); "
                               + "change that user, or give another address.", field: "email")
        }
    }

    static func userID(_ context: ServiceContext) throws -> UserID {
        guard let id = UUID(uuidString: try context.pathParameter("id")) else { throw APIError.notFound("That user") }
        return UserID(id)
    }
}
