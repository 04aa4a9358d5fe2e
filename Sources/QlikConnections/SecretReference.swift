/// Where a secrets manager keeps one credential: the connection stores this
/// reference, and the agent resolves it when a task runs.
///
/// - AWS Secrets Manager: `<secret name>:<key>` or a full secret ARN
///   (`arn:aws:secretsmanager:<region>:<account>:secret:<name>`, optionally
///   followed by `:<key>`).
/// - HashiCorp Vault KV v2: `<mount>/data/<path>:<key>`, e.g. `secret/data/qlik/prod:token`.
public enum SecretReference: Hashable, Sendable, CustomStringConvertible {
    case aws(secretID: String, key: String?)
    case vault(mount: String, path: String, key: String)

    public static func expectedForm(for kind: SecretsManagerKind) -> String {
        switch kind {
        case .awsSecretsManager: "<secret name>:<key> or arn:aws:secretsmanager:<region>:<account-id>:secret:<name>[:<key>]"
        case .hashiCorpVault: "secret/data/<path>:<key>"
        }
    }

    public var description: String {
        switch self {
        case .aws(let secretID, let key): key.map { "\(secretID):\($0)" } ?? secretID
        case .vault(let mount, let path, let key): "\(mount)/data/\(path):\(key)"
        }
    }

    /// Parses a reference in the format of the organization's secrets manager.
    public init(_ raw: String, for kind: SecretsManagerKind, field: ConnectionField) throws(ConnectionValidationError) {
        func fail(_ why: String) -> ConnectionValidationError {
            // The text is not echoed: a secret pasted here by mistake must not be printed.
            ConnectionValidationError(field, "\(field.label) secret reference \(why) Expected \(Self.expectedForm(for: kind)).")
        }
        if raw.isEmpty { throw fail("is empty.") }
        if raw.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
            throw fail("contains whitespace.")
        }
        switch kind {
        case .awsSecretsManager:
            if raw.hasPrefix("arn:") {
                let parts = raw.split(separator: ":", omittingEmptySubsequences: false)
                guard parts.count == 7 || parts.count == 8, parts[2] == "secretsmanager", parts[5] == "secret",
                      parts[1].hasPrefix("aws"), !parts[3].isEmpty,
                      parts[4].count == 12, parts[4].allSatisfy(\.isNumber), Self.isAWSSecretName(parts[6]) else {
                    throw fail("is not a Secrets Manager secret ARN.")
                }
                if parts.count == 8 {
                    guard Self.isKey(parts[7]) else { throw fail("has an empty key after the ARN.") }
                    self = .aws(secretID: parts[0...6].joined(separator: ":"), key: String(parts[7]))
                } else {
                    self = .aws(secretID: raw, key: nil)
                }
            } else {
                guard let colon = raw.lastIndex(of: ":") else { throw fail("names no key after ':'.") }
                let name = raw[..<colon], key = raw[raw.index(after: colon)...]
                guard Self.isAWSSecretName(name) else {
                    throw fail("has an invalid secret name (1 to 512 of letters, digits and / _ + = . @ -).")
                }
                guard Self.isKey(key) else { throw fail("names no key after ':'.") }
                self = .aws(secretID: String(name), key: String(key))
            }
        case .hashiCorpVault:
            guard let colon = raw.lastIndex(of: ":") else { throw fail("names no key after ':'.") }
            let location = raw[..<colon], key = raw[raw.index(after: colon)...]
            guard Self.isKey(key) else { throw fail("names no key after ':'.") }
            let segments = location.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count >= 3, segments[1] == "data" else {
                throw fail("is not a KV v2 data path (the mount, then 'data', then the secret's path).")
            }
            guard segments.allSatisfy({ Self.isPathSegment($0) }) else {
                throw fail("has an empty, '.' or '..' path segment, or characters other than letters, digits and _ - . in it.")
            }
            self = .vault(mount: String(segments[0]), path: segments.dropFirst(2).joined(separator: "/"), key: String(key))
        }
    }

    static func isAWSSecretName<S: StringProtocol>(_ name: S) -> Bool {
        (1...512).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "/_+=.@-".contains($0)) }
    }

    static func isKey<S: StringProtocol>(_ key: S) -> Bool {
        (1...256).contains(key.count) && !key.contains(":")
    }

    static func isPathSegment<S: StringProtocol>(_ segment: S) -> Bool {
        !segment.isEmpty && segment != "." && segment != ".."
            && segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "_-.".contains($0)) }
    }
}
