/// What can go wrong sealing or opening credentials, with what to do about it.
/// No case carries a secret value.
public enum SecretsError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedKey(reason: String)
    case keyFileUnreadable(path: String, reason: String)
    case keyFileTooOpen(path: String, permissions: String)
    case keyFileUnwritable(path: String, reason: String)
    case keyFileExists(path: String)
    case unknownKey(keyID: String, available: [String])
    case integrityCheckFailed(keyID: String, context: String)
    case wrongActiveKey(repositoryKeyID: String, configuredKeyID: String)
    /// A running process looked for the key another process rotated to, where its own key comes from, and did not find it.
    case rotatedKeyNotFound(repositoryKeyID: String, heldKeyID: String, location: String)
    case noKeyLoaded(field: String)

    /// Whether the user's own setup is at fault (exit code 2) rather than a failure (exit code 1).
    public var isUsageError: Bool {
        switch self {
        case .malformedKey, .keyFileTooOpen, .keyFileExists: true
        case .keyFileUnreadable, .keyFileUnwritable, .unknownKey, .integrityCheckFailed, .wrongActiveKey, .rotatedKeyNotFound, .noKeyLoaded: false
        }
    }

    /// What the organization's users (an API answer, a task's error, an agent) are told: no path or place on the
    /// service's machine, since where the operator keeps the key is theirs alone; ``description`` has the detail,
    /// for the operator's log and the command line.
    public var userFacingDescription: String {
        switch self {
        case .rotatedKeyNotFound(let repositoryKeyID, _, _):
            "The service could not load the master key \(repositoryKeyID) that the repository was rotated to; the operator must put the new key "
                + "where this service reads its key, or restart the service with it configured (the service's log says where it looked)."
        case .keyFileUnreadable, .keyFileTooOpen, .keyFileUnwritable, .keyFileExists:
            "The master key file could not be used; the operator must repair it (the log of the service or command that read it names the file "
                + "and what is wrong)."
        case .malformedKey:
            "The configured master key is not usable; the operator must configure a valid one (the log of the service or command that read it "
                + "says what is wrong)."
        case .unknownKey, .integrityCheckFailed, .wrongActiveKey, .noKeyLoaded:
            description
        }
    }

    public var description: String {
        switch self {
        case .malformedKey(let reason):
            "The master key is not usable: \(reason). Generate one with 'head -c 32 /dev/urandom | base64'."
        case .keyFileUnreadable(let path, let reason):
            "Cannot read the master key file \(path): \(reason)."
        case .keyFileUnwritable(let path, let reason):
            "Cannot write the master key file \(path): \(reason)."
        case .rotatedKeyNotFound(let repositoryKeyID, let heldKeyID, let location):
            "The repository's master key was rotated to \(repositoryKeyID); this process holds \(heldKeyID) and did not find the new key in \(location); "
                + "put the new key there (it is looked for again on the next request) or restart this process with the new key configured."
        case .noKeyLoaded(let field):
            "No master key is loaded to seal \(field)."
        case .keyFileExists(let path):
            "A master key file already exists at \(path); it is never overwritten."
        case .keyFileTooOpen(let path, let permissions):
            "The master key file \(path) is readable by others (mode \(permissions)); run 'chmod 600 \(path)'."
        case .unknownKey(let keyID, let available):
            "A credential was sealed with master key \(keyID), but only \(available.joined(separator: ", ")) is configured; "
                + "configure the master key that sealed it (QLIK_CONNECTOR_MASTER_KEY_FILE or --master-key-file)."
        case .integrityCheckFailed(let keyID, let context):
            "The sealed \(context) did not open with master key \(keyID): the key is wrong or the stored ciphertext was altered."
        case .wrongActiveKey(let repositoryKeyID, let configuredKeyID):
            "This repository's credentials are sealed with master key \(repositoryKeyID), but the configured master key is \(configuredKeyID); "
                + "configure the key that sealed them, or rotate to a new one with 'connection rotate-key' while the old key is configured."
        }
    }
}
