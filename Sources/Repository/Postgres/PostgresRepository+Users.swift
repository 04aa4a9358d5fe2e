public import Foundation
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

extension PostgresRepository: AccessTokenStore {
    public func createAccessToken(_ token: AccessToken, secretHash: Data, credentialsEpoch: Int64, by actor: AuditActor) async throws {
        try await write { session in
            guard let organization = try await session.value(String.self, "SELECT organization_id FROM users WHERE id = \(token.userID.description)") else {
                throw RepositoryError.notFound(kind: "user", name: token.userID.description, organization: nil)
            }
            try await session.execute("""
                INSERT INTO access_tokens (id, user_id, name, prefix, secret_hash, created_at, expires_at, credentials_epoch)
                VALUES (\(token.id.description), \(token.userID.description), \(token.name), \(token.prefix), \(secretHash),
                        \(token.createdAt.millisecondsSince1970), \(token.expiresAt?.millisecondsSince1970), \(credentialsEpoch))
                """)
            try await self.audit(session, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                                 action: "token.create", targetKind: "access-token", targetID: token.id.description, targetName: token.name)
        }
    }

    public func accessTokens(of user: UserID) async throws -> [AccessToken] {
        try await read { session in
            try await session.rows("SELECT * FROM access_tokens WHERE user_id = \(user.description) ORDER BY created_at").map { try StoredValues.token($0) }
        }
    }

    public func principal(forSecretHash hash: Data, at now: Date) async throws -> (User, AccessToken)? {
        let found = try await read { session -> (User, AccessToken)? in
            guard let row = try await session.first("""
                SELECT t.id AS token_id, t.user_id, t.name AS token_name, t.prefix, t.created_at AS token_created_at, t.expires_at,
                       t.last_used_at, t.revoked_at, u.*
                FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.secret_hash = \(hash) AND t.credentials_epoch = u.credentials_epoch
                """) else { return nil }
            return (try StoredValues.user(row), try StoredValues.token(row, joined: true))
        }
        guard let (user, token) = found, token.isUsable(at: now), !user.disabled else { return nil }
        // Noted at most once a minute: a busy script would otherwise write on every request.
        if token.lastUsedAt.map({ now.timeIntervalSince($0) > 60 }) ?? true {
            try await read { session in
                try await session.execute("UPDATE access_tokens SET last_used_at = \(now.millisecondsSince1970) WHERE id = \(token.id.description)")
            }
        }
        return (user, token)
    }

    public func revokeAccessToken(_ id: AccessTokenID, of user: UserID, at now: Date, by actor: AuditActor) async throws -> AccessToken {
        try await write { session in
            guard let row = try await session.first("""
                SELECT * FROM access_tokens WHERE id = \(id.description) AND user_id = \(user.description) FOR UPDATE
                """),
                  let organization = try await session.value(String.self, "SELECT organization_id FROM users WHERE id = \(user.description)") else {
                throw RepositoryError.notFound(kind: "access token", name: id.description, organization: nil)
            }
            var token = try StoredValues.token(row)
            if token.revokedAt == nil {
                try await session.execute("UPDATE access_tokens SET revoked_at = \(now.millisecondsSince1970) WHERE id = \(id.description)")
                token.revokedAt = now.millisecondPrecision
                try await self.audit(session, organization: OrganizationID(try UUID.stored(organization, column: "users.organization_id")), actor: actor,
                                     action: "token.revoke", targetKind: "access-token", targetID: id.description, targetName: token.name)
            }
            return token
        }
    }
}

extension PostgresRepository: ConsoleSessionStore {
    public func createSession(secretHash: Data, user: User, csrfToken: String, expiresAt: Date) async throws {
        try await write { session in
            // Expired sessions are swept as new ones start.
            try await session.execute("DELETE FROM console_sessions WHERE expires_at < \(Date().millisecondsSince1970)")
            try await session.execute("""
                INSERT INTO console_sessions (secret_hash, user_id, csrf_token, created_at, expires_at, credentials_epoch)
                VALUES (\(secretHash), \(user.id.description), \(csrfToken), \(Date().millisecondsSince1970), \(expiresAt.millisecondsSince1970),
                        \(user.credentialsEpoch))
                """)
        }
    }

    public func session(secretHash: Data, at now: Date) async throws -> (user: User, csrfToken: String)? {
        try await read { session in
            guard let row = try await session.first("""
                SELECT s.csrf_token, s.expires_at, u.* FROM console_sessions s JOIN users u ON u.id = s.user_id
                WHERE s.secret_hash = \(secretHash) AND s.credentials_epoch = u.credentials_epoch
                """), try row.integer("expires_at") > now.millisecondsSince1970 else { return nil }
            let user = try StoredValues.user(row)
            return user.disabled ? nil : (user, try row.text("csrf_token"))
        }
    }

    public func deleteSession(secretHash: Data) async throws {
        try await read { session in try await session.execute("DELETE FROM console_sessions WHERE secret_hash = \(secretHash)") }
    }
}
