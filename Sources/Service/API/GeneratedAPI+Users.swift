import ConnectorAPI
import Foundation
import QlikConnections
import Repository

/// The organization's users: administrators only. An organization always keeps one enabled administrator: the last
/// cannot be demoted, disabled or deleted. An e-mail address is unique in its organization only: another organization may
/// have a user with the same address (a different account).
extension GeneratedAPI {
    func listUsers(_ input: Operations.ListUsers.Input) async throws -> Operations.ListUsers.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        return .ok(.init(body: .json(try await service.repository.users(of: principal.organizationID).map(Components.Schemas.User.init))))
    }

    func createUser(_ input: Operations.CreateUser.Input) async throws -> Operations.CreateUser.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let asked = switch input.body { case .json(let body): body }
        let email = try EmailAddress(asked.email)
        let role = try Self.role(asked.role)
        let password = try asked.password.map { text throws(UserValidationError) in try Password(text) }
        let user = User(organizationID: principal.organizationID, email: email,
                        displayName: asked.displayName?.trimmingCharacters(in: .whitespaces) ?? email.value, role: role)
        let hash: String? = if let password { await service.passwords.hash(password) } else { nil }
        try await Self.emailInUse(user.email) { try await service.repository.createUser(user, passwordHash: hash, by: service.actor(principal)) }
        return .created(.init(body: .json(.init(user))))
    }

    func getUser(_ input: Operations.GetUser.Input) async throws -> Operations.GetUser.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        return .ok(.init(body: .json(.init(try await service.repository.user(try Self.userID(input.path.id), in: principal.organizationID)))))
    }

    func updateUser(_ input: Operations.UpdateUser.Input) async throws -> Operations.UpdateUser.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let change = switch input.body { case .json(let body): body }
        var user = try await service.repository.user(try Self.userID(input.path.id), in: principal.organizationID)
        let wasActiveAdmin = user.role == .admin && !user.disabled
        if let email = change.email { user.email = try EmailAddress(email) }
        if let name = change.displayName { user.displayName = name.trimmingCharacters(in: .whitespaces) }
        if let role = change.role { user.role = try Self.role(role) }
        if let disabled = change.disabled { user.disabled = disabled }
        let password = try change.password.map { text throws(UserValidationError) in try Password(text) }
        if wasActiveAdmin, user.role != .admin || user.disabled, try await service.repository.administratorCount(of: principal.organizationID) <= 1 {
            throw Self.lastAdministrator
        }
        let hash: String? = if let password { await service.passwords.hash(password) } else { nil }
        try await Self.emailInUse(user.email) { try await service.repository.updateUser(user, passwordHash: hash, by: service.actor(principal)) }
        return .ok(.init(body: .json(.init(user))))
    }

    func deleteUser(_ input: Operations.DeleteUser.Input) async throws -> Operations.DeleteUser.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let user = try await service.repository.user(try Self.userID(input.path.id), in: principal.organizationID)
        if user.role == .admin, !user.disabled, try await service.repository.administratorCount(of: principal.organizationID) <= 1 {
            throw Self.lastAdministrator
        }
        let deleted = try await service.repository.deleteUser(user.id, in: principal.organizationID, by: service.actor(principal))
        return .ok(.init(body: .json(.init(deleted))))
    }

    func listUserTokens(_ input: Operations.ListUserTokens.Input) async throws -> Operations.ListUserTokens.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let user = try await service.repository.user(try Self.userID(input.path.id), in: principal.organizationID)
        return .ok(.init(body: .json(try await service.repository.accessTokens(of: user.id).map { Components.Schemas.AccessToken($0) })))
    }

    func revokeUserToken(_ input: Operations.RevokeUserToken.Input) async throws -> Operations.RevokeUserToken.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let user = try await service.repository.user(try Self.userID(input.path.id), in: principal.organizationID)
        let token = try await service.repository.revokeAccessToken(try Self.tokenID(input.path.token), of: user.id, at: Date(),
                                                                   by: service.actor(principal))
        return .ok(.init(body: .json(.init(token))))
    }

    static func role(_ text: String) throws(APIError) -> UserRole {
        guard let role = UserRole(rawValue: text.lowercased()) else {
            throw APIError.invalid("role", "role '\(text)' is unknown; expected admin, designer or viewer.")
        }
        return role
    }

    /// A taken address answers 409 naming the field. Addresses are unique per organization, so only this organization's
    /// users can take one: the answer says nothing about other organizations.
    static func emailInUse(_ email: EmailAddress, _ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch RepositoryError.duplicateName {
            throw APIError(.conflict, code: "duplicate_email",
                           "A user of this organization already has the e-mail address '\(email)' (compared without regard to case); "
                               + "change that user, or give another address.", field: "email")
        }
    }

    static let lastAdministrator = APIError(.conflict, code: "last_administrator",
                                            "This is the organization's last enabled administrator; make another one first.")

    static func userID(_ text: String) throws -> UserID {
        guard let id = UUID(uuidString: text) else { throw APIError.notFound("That user") }
        return UserID(id)
    }

    static func tokenID(_ text: String) throws -> AccessTokenID {
        guard let id = UUID(uuidString: text) else { throw APIError.notFound("That token") }
        return AccessTokenID(id)
    }
}

extension Components.Schemas.User {
    /// A user as the API shows them (never a password hash).
    init(_ user: User) {
        let role: RolePayload = switch user.role {
        case .admin: .admin
        case .designer: .designer
        case .viewer: .viewer
        }
        self.init(id: user.id.description, email: user.email.value, displayName: user.displayName, role: role, disabled: user.disabled,
                  createdAt: user.createdAt)
    }
}

extension Components.Schemas.AccessToken {
    /// A personal API token as the API shows it: its secret only in the answer to the create, the one time it is shown.
    init(_ token: AccessToken, secret: String? = nil) {
        self.init(id: token.id.description, name: token.name, prefix: token.prefix, createdAt: token.createdAt, expiresAt: token.expiresAt,
                  lastUsedAt: token.lastUsedAt, revokedAt: token.revokedAt, token: secret)
    }
}
