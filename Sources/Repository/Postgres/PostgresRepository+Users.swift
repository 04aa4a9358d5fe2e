import Foundation
import PostgresNIO
public import QlikConnections

extension PostgresRepository: UserStore {
    public func createUser(_ user: User, passwordHash: String?, by actor: AuditActor) async throws {
        try await write { session in
            do {
                try await session.execute("""
                    INSERT INTO users (id, organization_id, email, email_key, display_name, role, password_hash, disabled, created_at)
                    VALUES (\(user.id.description), \(user.organizationID.description), \(user.email.value), \(user.email.comparisonKey),
                            \(user.displayName), \(user.role.rawValue), \(passwordHash), \(user.disabled), \(user.createdAt.millisecondsSince1970))
                    """)
            } catch where PostgresFailure.isUniqueViolation(error) {
                throw RepositoryError.duplicateName(kind: "user with the e-mail address", name: user.email.value)
            }
            try await self.audit(session, organization: user.organizationID, actor: actor, action: "user.create", targetKind: "user",
                                 targetID: user.id.description, targetName: user.email.value,
                                 changes: [AuditChange(field: "role", from: nil, to: user.role.rawValue)])
        }
    }

    public func users(of organization: OrganizationID) async throws -> [User] {
        try await read { session in
            try await session.rows("SELECT * FROM users WHERE organization_id = \(organization.description) ORDER BY email_key").map(StoredValues.user)
        }
    }

    public func user(_ id: UserID, in organization: OrganizationID) async throws -> User {
        try await read { session in
            guard let row = try await session.first("SELECT * FROM users WHERE id = \(id.description) AND organization_id = \(organization.description)") else {
                throw RepositoryError.notFound(kind: "user", name: id.description, organization: nil)
            }
            return try StoredValues.user(row)
        }
    }

    public func user(email: String, in organization: OrganizationID) async throws -> User? {
        let key = EmailAddress.comparisonKey(email)
        return try await read { session in
            try await session.first("SELECT * FROM users WHERE organization_id = \(organization.description) AND email_key = \(key)").map(StoredValues.user)
        }
    }

    public func userForSignIn(email: String, organization: String) async throws -> (user: User, passwordHash: String?)? {
        // A text that is not a valid organization name is no organization's: nothing to find, as for an unknown name.
        guard let name = try? OrganizationName(organization) else { return nil }
        let key = EmailAddress.comparisonKey(email), organizationKey = name.comparisonKey
        return try await read { session in
            try await session.first("""
                SELECT users.* FROM users JOIN organizations ON organizations.id = users.organization_id
                WHERE organizations.name_key = \(organizationKey) AND users.email_key = \(key)
                """).map { row in (try StoredValues.user(row), try row.optionalText("password_hash")) }
        }
    }

    public func updateUser(_ user: User, passwordHash: String?, by actor: AuditActor) async throws {
        try await write { session in
            guard let row = try await session.first("""
                SELECT * FROM users WHERE id = \(user.id.description) AND organization_id = \(user.organizationID.description) FOR UPDATE
                """) else {
                throw RepositoryError.notFound(kind: "user", name: user.email.value, organization: nil)
            }
            let before = try StoredValues.user(row)
            let signsOut = RecordKeeping.signsOut(from: before, to: user, passwordChanged: passwordHash != nil)
            let step: Int64 = signsOut ? 1 : 0
            do {
                try await session.execute("""
                    UPDATE users SET email = \(user.email.value), email_key = \(user.email.comparisonKey), display_name = \(user.displayName),
                        role = \(user.role.rawValue), disabled = \(user.disabled), password_hash = COALESCE(\(passwordHash), password_hash),
                        credentials_epoch = credentials_epoch + \(step)
                    WHERE id = \(user.id.description)
                    """)
            } catch where PostgresFailure.isUniqueViolation(error) {
                throw RepositoryError.duplicateName(kind: "user with the e-mail address", name: user.email.value)
            }
            var changes = RecordKeeping.userChanges(from: before, to: user, passwordChanged: passwordHash != nil)
            if signsOut {
                // The epoch already refuses them; revoking says so in token lists, and deleting frees the rows.
                let revoked = try await session.rows("""
                    UPDATE access_tokens SET revoked_at = \(Date().millisecondsSince1970) WHERE user_id = \(user.id.description) AND revoked_at IS NULL
                    RETURNING id
                    """).count
                let ended = try await session.rows("DELETE FROM console_sessions WHERE user_id = \(user.id.description) RETURNING user_id").count
                changes.append(RecordKeeping.signOutChange(revokedTokens: revoked, endedSessions: ended))
            }
            try await self.audit(session, organization: user.organizationID, actor: actor, action: "user.update", targetKind: "user",
                                 targetID: user.id.description, targetName: user.email.value, changes: changes)
        }
    }

    public func deleteUser(_ id: UserID, in organization: OrganizationID, by actor: AuditActor) async throws -> User {
        try await write { session in
            guard let row = try await session.first("""
                DELETE FROM users WHERE id = \(id.description) AND organization_id = \(organization.description) RETURNING *
                """) else {
                throw RepositoryError.notFound(kind: "user", name: id.description, organization: nil)
            }
            let user = try StoredValues.user(row)
            try await self.audit(session, organization: organization, actor: actor, action: "user.delete", targetKind: "user",
                                 targetID: id.description, targetName: user.email.value)
            return user
        }
    }

    public func administratorCount(of organization: OrganizationID) async throws -> Int {
        try await read { session in
            Int(try await session.value(Int64.self, """
                SELECT COUNT(*) FROM users WHERE organization_id = \(organization.description) AND role = 'admin' AND NOT disabled
                """) ?? 0)
        }
    }
}
