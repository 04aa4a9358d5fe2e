public import Foundation
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

extension SQLiteRepository: AccessTokenStore {
    public func createAccessToken(_ token: AccessToken, secretHash: Data, credentialsEpoch: Int64, by actor: AuditActor) async throws {
        try await write { db in
            guard let organization = try String.fetchOne(db, sql: "SELECT organization_id FROM users WHERE id = ?", arguments: [token.userID.description]) else {
                throw RepositoryError.notFound(kind: "user", name: token.userID.description, organization: nil)
            }
            try db.execute(
                sql: """
                    INSERT INTO access_tokens (id, user_id, name, prefix, secret_hash, created_at, expires_at, credentials_epoch)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [token.id.description, token.userID.description, token.name, token.prefix, secretHash,
                            token.createdAt.millisecondsSince1970, token.expiresAt?.millisecondsSince1970, credentialsEpoch])
            try self.audit(db, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                           action: "token.create", targetKind: "access-token", targetID: token.id.description, targetName: token.name)
        }
    }

    public func accessTokens(of user: UserID) async throws -> [AccessToken] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM access_tokens WHERE user_id = ? ORDER BY created_at", arguments: [user.description]).map(Self.token)
        }
    }

    public func principal(forSecretHash hash: Data, at now: Date) async throws -> (User, AccessToken)? {
        let found = try await read { db -> (User, AccessToken)? in
            // Every API request runs this: a cached statement.
            let statement = try db.cachedStatement(sql: """
                SELECT t.id AS token_id, t.user_id, t.name AS token_name, t.prefix, t.created_at AS token_created_at, t.expires_at,
                       t.last_used_at, t.revoked_at, u.*
                FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = ? AND t.credentials_epoch = u.credentials_epoch
                """)
            guard let row = try Row.fetchOne(statement, arguments: [hash]) else { return nil }
            return (try StoredValues.user(row), try StoredValues.token(row, joined: true))
        }
        guard let (user, token) = found, token.isUsable(at: now), !user.disabled else { return nil }
        // Noted at most once a minute: a busy script would otherwise write on every request.
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await write { db in
                try db.execute(sql: "UPDATE access_tokens SET last_used_at = ? WHERE id = ?", arguments: [now.millisecondsSince1970, token.id.description])
            }
        }
        return (user, token)
    }

    public func revokeAccessToken(_ id: AccessTokenID, of user: UserID, at now: Date, by actor: AuditActor) async throws -> AccessToken {
        try await write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM access_tokens WHERE id = ? AND user_id = ?",
                                             arguments: [id.description, user.description]),
                  let organization = try String.fetchOne(db, sql: "SELECT organization_id FROM users WHERE id = ?", arguments: [user.description]) else {
                throw RepositoryError.notFound(kind: "access token", name: id.description, organization: nil)
            }
            var token = try Self.token(row)
            if token.revokedAt == nil {
                try db.execute(sql: "UPDATE access_tokens SET revoked_at = ? WHERE id = ?", arguments: [now.millisecondsSince1970, id.description])
                token.revokedAt = now.millisecondPrecision
                try self.audit(db, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                               action: "token.revoke", targetKind: "access-token", targetID: id.description, targetName: token.name)
            }
            return token
        }
    }

    static func token(_ row: Row) throws -> AccessToken { try StoredValues.token(row) }
}

extension SQLiteRepository: ConsoleSessionStore {
    public func createSession(secretHash: Data, user: User, csrfToken: String, expiresAt: Date) async throws {
        try await write { db in
            // Expired sessions are swept as new ones start.
            try db.execute(sql: "DELETE FROM console_sessions WHERE expires_at < ?", arguments: [Date().millisecondsSince1970])
            try db.execute(sql: """
                INSERT INTO console_sessions (secret_hash, user_id, csrf_token, created_at, expires_at, credentials_epoch) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [secretHash, user.id.description, csrfToken, Date().millisecondsSince1970, expiresAt.millisecondsSince1970,
                                  user.credentialsEpoch])
        }
    }

    public func session(secretHash: Data, at now: Date) async throws -> (user: User, csrfToken: String)? {
        try await read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT s.csrf_token, s.expires_at, u.* FROM console_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.secret_hash = ? AND s.credentials_epoch = u.credentials_epoch
                """)
            guard let row = try Row.fetchOne(statement, arguments: [secretHash]),
                  (row["expires_at"] as Int64) > now.millisecondsSince1970 else { return nil }
            let user = try Self.user(row)
            return user.disabled ? nil : (user, row["csrf_token"])
        }
    }

    public func deleteSession(secretHash: Data) async throws {
        try await write { db in try db.execute(sql: "DELETE FROM console_sessions WHERE secret_hash = ?", arguments: [secretHash]) }
    }
}
