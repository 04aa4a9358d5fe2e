public import Secrets
import Repository

/// The master keys a use case seals new secret values with: the ones this
/// process holds, or none when it loaded none. Another process may rotate the
/// key between our read and our write; the repository then refuses the values
/// sealed under the retired key, and the use case runs once more with the keys
/// read again, so a rotation elsewhere never fails a request here.
public struct SealingKeys: Sendable {
    let live: LiveKeyring?

    /// `live`: this process's keys, reloaded on demand; nil when none is loaded (new secret values are then refused).
    public init(_ live: LiveKeyring?) { self.live = live }

    /// Runs `body` with the keys held now (nil: none loaded); once more with fresh keys when what they sealed was refused as stale.
    public func withCurrent<T>(_ body: (Keyring?) async throws -> T) async throws -> T {
        guard let live else { return try await body(nil) }
        return try await live.withCurrent(retryingWhen: Self.isStale) { keyring in try await body(keyring) }
    }

    /// The keys held now, or the refusal a request that brings new secret values gets when none is loaded.
    public func require(_ keyring: Keyring?) throws(UseCaseError) -> Keyring {
        guard let keyring else { throw Self.noKeyring }
        return keyring
    }

    public static let noKeyring = UseCaseError.unavailable(
        "no_master_key", "No master key is loaded to seal credentials: give one with --master-key-file or QLIK_CONNECTOR_MASTER_KEY_FILE.")

    /// Whether `error` says the values were sealed under a key that is no longer current, or name a key this process does not hold.
    public static func isStale(_ error: any Error) -> Bool {
        switch error {
        case RepositoryError.masterKeyChangedMeanwhile, SecretsError.unknownKey: true
        default: false
        }
    }
}
