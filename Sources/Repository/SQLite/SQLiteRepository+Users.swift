import Foundation
import GRDB
public import QlikConnections

extension SQLiteRepository: UserStore {
    public func createUser(_ user: User, passwordHash: String?, by actor: AuditActor) async throws {
        try await write { db in
            do {
                try db.execute(
                    sql: """
                        INSERT INTO users (id, organization_id, email, email_key, display_name, role, password_hash, disabled, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [user.id.description, user.organizationID.description, user.email.value, user.email.comparisonKey,
                                user.displayName, user.role.rawValue, passwordHash, user.disabled, user.createdAt.millisecondsSince1970])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw RepositoryError.duplicateName(kind: "user with the e-mail address", name: user.email.value)
            }
            try self.audit(db, organization: user.organizationID, actor: actor, action: "user.create", targetKind: "user",
                           targetID: user.id.description, targetName: user.email.value,
                           changes: [AuditChange(field: "role", from: nil, to: user.role.rawValue)])
        }
    }

    public func users(of organization: OrganizationID) async throws -> [User] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM users WHERE organization_id = ? ORDER BY email_key", arguments: [organization.description])
                .map(Self.user)
        }
    }

    public func user(_ id: UserID, in organization: OrganizationID) async throws -> User {
        try await read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ? AND organization_id = ?",
                                             arguments: [id.description, organization.description]) else {
                throw RepositoryError.notFound(kind: "user", name: id.description, organization: nil)
            }
            return try Self.user(row)
        }
    }

    public func user(email: String, in organization: OrganizationID) async throws -> User? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM users WHERE organization_id = ? AND email_key = ?",
                             arguments: [organization.description, EmailAddress.comparisonKey(email)]).map(Self.user)
        }
    }

    public func userForSignIn(email: String, organization: String) async throws -> (user: User, passwordHash: String?)? {
        // A text that is not a valid organization name is no organization's: nothing to find, as for an unknown name.
        guard let name = try? OrganizationName(organization) else { return nil }
        return try await read { db in
            try Row.fetchOne(db, sql: """
                SELECT users.* FROM users JOIN organizations ON organizations.id = users.organization_id
                WHERE organizations.name_key = ? AND users.email_key = ?
                """, arguments: [name.comparisonKey, EmailAddress.comparisonKey(email)])
                .map { row in (try Self.user(row), row["password_hash"] as String?) }
        }
    }

    public func updateUser(_ user: User, passwordHash: String?, by actor: AuditActor) async throws {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ? AND organization_id = ?",
                                             arguments: [user.id.description, user.organizationID.description]) else {
                throw RepositoryError.notFound(kind: "user", name: user.email.value, organization: nil)
            }
            let before = try Self.user(row)
            let signsOut = RecordKeeping.signsOut(from: before, to: user, passwordChanged: passwordHash != nil)
            do {
                try db.execute(
                    sql: """
                        UPDATE users SET email = ?, email_key = ?, display_name = ?, role = ?, disabled = ?,
                        password_hash = COALESCE(?, password_hash), credentials_epoch = credentials_epoch + ? WHERE id = ?
                        """,
                    arguments: [user.email.value, user.email.comparisonKey, user.displayName, user.role.rawValue, user.disabled,
                                passwordHash, signsOut ? 1 : 0, user.id.description])
            } catch let error as DatabaseError where error.isUniqueViolation {
                throw RepositoryError.duplicateName(kind: "user with the e-mail address", name: user.email.value)
            }
            var changes = RecordKeeping.userChanges(from: before, to: user, passwordChanged: passwordHash != nil)
            if signsOut {
                // The epoch already refuses them; revoking says so in token lists, and deleting frees the rows.
                try db.execute(sql: "UPDATE access_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                               arguments: [Date().millisecondsSince1970, user.id.description])
                let revoked = db.changesCount
                try db.execute(sql: "DELETE FROM console_sessions WHERE user_id = ?", arguments: [user.id.description])
                changes.append(RecordKeeping.signOutChange(revokedTokens: revoked, endedSessions: db.changesCount))
            }
            try self.audit(db, organization: user.organizationID, actor: actor, action: "user.update", targetKind: "user",
                           targetID: user.id.description, targetName: user.email.value, changes: changes)
        }
    }

    public func deleteUser(_ id: UserID, in organization: OrganizationID, by actor: AuditActor) async throws -> User {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ? AND organization_id = ?",
                                             arguments: [id.description, organization.description]) else {
                throw RepositoryError.notFound(kind: "user", name: id.description, organization: nil)
            }
            let user = try Self.user(row)
            try db.execute(sql: "DELETE FROM users WHERE id = ?", arguments: [id.description])
            try self.audit(db, organization: organization, actor: actor, action: "user.delete", targetKind: "user",
                           targetID: id.description, targetName: user.email.value)
            return user
        }
    }

    public func administratorCount(of organization: OrganizationID) async throws -> Int {
        try await read { db in
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM users WHERE organization_id = ? AND role = 'admin' AND disabled = 0",
                             arguments: [organization.description]) ?? 0
        }
    }

    static func user(_ row: Row) throws -> User { try StoredValues.user(row) }
}
