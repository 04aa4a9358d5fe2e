import Foundation
import QlikConnections

/// What every repository writes the same way, whatever its database: the
/// audit records of a change, and the rules a credential row must pass
/// against what is committed now.
enum RecordKeeping {
    /// Which of the secrets manager's credentials are kept, by label (never a value).
    static func managerCredentialSummary(_ fields: some Collection<SecretsManagerField>) -> String {
        fields.isEmpty ? "secrets manager credentials removed (the agents' environment serves)"
            : "secrets manager credentials kept: " + fields.map(\.label).sorted().joined(separator: ", ")
    }

    /// What a creation records: every non-secret field, and where each credential lives.
    static func creationRecord(_ connection: StoredConnection) -> [FieldChange] {
        var fields: [FieldChange] = [
            FieldChange(field: .name, old: nil, new: connection.name.value),
            FieldChange(field: .runtimeEnvironment, old: nil, new: connection.runtimeEnvironmentID.description),
            FieldChange(field: .useSecretVault, old: nil, new: String(connection.useSecretVault)),
            FieldChange(field: .authenticationType, old: nil, new: connection.authentication.type.rawValue),
            FieldChange(field: .baseURL, old: nil, new: connection.authentication.baseURL.description),
        ]
        if let description = connection.description {
            fields.append(FieldChange(field: .description, old: nil, new: description.value))
        }
        fields += connection.authentication.credentials.map { FieldChange(field: $0.field, old: nil, new: $0.credential.auditText) }
        return fields
    }

    static func settingsChanges(from old: Organization?, to new: Organization) -> [FieldChange] {
        var changes: [FieldChange] = []
        func note(_ field: ConnectionField, _ before: String?, _ after: String?) {
            if before != after { changes.append(FieldChange(field: field, old: before, new: after)) }
        }
        note(.organization, old?.name.value, new.name.value)
        note(.credentialStorage, old?.credentialStorage.rawValue, new.credentialStorage.rawValue)
        note(.secretsManager, old?.secretsManager.map(SecretsManagerColumn.summary), new.secretsManager.map(SecretsManagerColumn.summary))
        return changes
    }

    /// The audit line of manager credentials dropped because the manager moved with none given for its new place; nil when none were kept.
    static func droppedManagerCredentials(_ fields: some Collection<SecretsManagerField>, from old: Organization, to new: Organization,
                                          replaced: Bool) -> String? {
        guard !fields.isEmpty, !replaced, old.secretsManager?.location != new.secretsManager?.location else { return nil }
        let before = old.secretsManager.map(SecretsManagerColumn.summary) ?? "none"
        let after = new.secretsManager.map(SecretsManagerColumn.summary) ?? "none"
        return "\(new.name.value): secrets manager credentials dropped (\(fields.map(\.label).sorted().joined(separator: ", "))) because the manager moved "
            + "from \(before) to \(after); they are never sent to the new address"
    }

    /// Whether changing `old` into `new` changes which manager existing references point at.
    static func changesManager(from old: Organization, to new: Organization) -> Bool {
        if old.secretsManager?.kind != new.secretsManager?.kind { return true }
        guard case .vault(_, let before)? = old.secretsManager?.location, case .vault(_, let after)? = new.secretsManager?.location else { return false }
        return before != after
    }

    /// Whether an update ends every session and token of the user: a new password, or a disable.
    static func signsOut(from before: User, to user: User, passwordChanged: Bool) -> Bool {
        passwordChanged || (user.disabled && !before.disabled)
    }

    /// The audit line for a sign-out everywhere.
    static func signOutChange(revokedTokens: Int, endedSessions: Int) -> AuditChange {
        AuditChange(field: "signedOut", from: nil, to: "\(revokedTokens) personal API token(s) revoked, \(endedSessions) console session(s) ended")
    }

    static func userChanges(from before: User, to user: User, passwordChanged: Bool) -> [AuditChange] {
        var changes: [AuditChange] = []
        if before.email != user.email { changes.append(AuditChange(field: "email", from: before.email.value, to: user.email.value)) }
        if before.displayName != user.displayName { changes.append(AuditChange(field: "displayName", from: before.displayName, to: user.displayName)) }
        if before.role != user.role { changes.append(AuditChange(field: "role", from: before.role.rawValue, to: user.role.rawValue)) }
        if before.disabled != user.disabled { changes.append(AuditChange(field: "disabled", from: "\(before.disabled)", to: "\(user.disabled)")) }
        // The password itself is a secret: only the fact of a change is recorded.
        if passwordChanged { changes.append(AuditChange(field: "password", from: nil, to: "changed")) }
        return changes
    }

    /// Checked inside the write transaction, against what is committed now:
    /// every sealed value must be under the active key (a rotation may have
    /// run since it was sealed), and references must match the manager.
    static func checkCredentials(of connection: StoredConnection, activeKey: String?, manager: SecretsManagerSettings?) throws {
        for (_, credential) in connection.authentication.credentials {
            switch credential {
            case .value(let sealed) where sealed.keyID != activeKey:
                throw RepositoryError.masterKeyChangedMeanwhile(sealedWith: sealed.keyID, active: activeKey)
            case .secretReference(let reference) where !reference.belongs(to: manager):
                throw RepositoryError.secretsManagerChangedMeanwhile(connection: connection.name.value)
            default: continue
            }
        }
    }

    /// Checked inside the write transaction: values sealed for the secrets manager must be under the active key.
    static func checkSealed(_ values: some Sequence<SealedSecret>, activeKey: String?) throws {
        if let stale = values.first(where: { $0.keyID != activeKey }) {
            throw RepositoryError.masterKeyChangedMeanwhile(sealedWith: stale.keyID, active: activeKey)
        }
    }

    /// One credential as its row holds it.
    struct CredentialRow {
        let field: String
        let source: String
        var keyID: String?
        var ciphertext: Data?
        var reference: String?
    }

    static func credentialRows(of connection: StoredConnection) -> [CredentialRow] {
        connection.authentication.credentials.map { field, credential in
            switch credential {
            case .value(let sealed):
                CredentialRow(field: field.rawValue, source: "sealed", keyID: sealed.keyID, ciphertext: Data(sealed.combined))
            case .secretReference(let reference):
                CredentialRow(field: field.rawValue, source: "reference", reference: reference.description)
            case .onAgent:
                CredentialRow(field: field.rawValue, source: "agent")
            }
        }
    }

    static func encodedChanges<Change: Encodable>(_ changes: [Change]) throws -> String {
        String(decoding: try JSONEncoder().encode(changes), as: UTF8.self)
    }
}

extension SecretReference {
    /// Whether the reference is in the form of `manager`'s kind.
    func belongs(to manager: SecretsManagerSettings?) -> Bool {
        switch (self, manager?.location) {
        case (.aws, .aws?): true
        case (.vault(let mount, _, _), .vault(_, let configured)?): mount == configured
        default: false
        }
    }
}
