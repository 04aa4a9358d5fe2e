import ArgumentParser
import Foundation
import QlikConnections

/// The credential fields of the seed page as options. Secret values are read
/// from a file, an environment variable or standard input; with Use Secret
/// Vault, any field may instead name a secret reference.
struct CredentialOptions: ParsableArguments {
    @Option(name: .customLong("access-token-from"), help: ArgumentHelp("Access Token (API key): \(SecretSource.expectedForm).", valueName: "source"))
    var accessTokenFrom: String?
    @Option(name: .customLong("access-token-ref"), help: ArgumentHelp("Access Token as a secret reference (with --use-secret-vault).", valueName: "reference"))
    var accessTokenReference: String?

    @Option(name: .customLong("client-id-from"), help: ArgumentHelp("Client ID read from \(SecretSource.expectedForm).", valueName: "source"))
    var clientIDFrom: String?
    @Option(name: .customLong("client-id-ref"), help: ArgumentHelp("Client ID as a secret reference (with --use-secret-vault).", valueName: "reference"))
    var clientIDReference: String?

    @Option(name: .customLong("client-secret-from"), help: ArgumentHelp("OAuth 2.0 Client Secret: \(SecretSource.expectedForm).", valueName: "source"))
    var clientSecretFrom: String?
    @Option(name: .customLong("client-secret-ref"), help: ArgumentHelp("Client Secret as a secret reference (with --use-secret-vault).", valueName: "reference"))
    var clientSecretReference: String?

    // Present only to explain why a secret on the command line is refused.
    @Option(name: .customLong("access-token"), help: .hidden) var plainAccessToken: String?
    @Option(name: .customLong("client-secret"), help: .hidden) var plainClientSecret: String?
    @Option(name: .customLong("client-id"), help: .hidden) var plainClientID: String?

    func validate() throws {
        // The Client ID is a credential too (the seed page lets the vault or the agents hold it),
        // so it follows the same rule as the secrets.
        if let option = [("access-token", plainAccessToken), ("client-secret", plainClientSecret), ("client-id", plainClientID)]
            .first(where: { $0.1 != nil })?.0 {
            throw CLIError.usage("--\(option) VALUE is not accepted: a command line is visible to every user of the machine. "
                + "Use --\(option)-from with \(SecretSource.expectedForm).")
        }
        let pairs: [(String, Bool)] = [
            ("Access Token", accessTokenFrom != nil && accessTokenReference != nil),
            ("Client ID", clientIDFrom != nil && clientIDReference != nil),
            ("Client Secret", clientSecretFrom != nil && clientSecretReference != nil),
        ]
        if let clash = pairs.first(where: \.1) {
            throw CLIError.usage("\(clash.0) is given more than one way; give its value or its reference, once.")
        }
        let stdinReaders = [accessTokenFrom, clientIDFrom, clientSecretFrom].compactMap { $0 }.filter { $0 == "stdin" || $0 == "-" }
        if stdinReaders.count > 1 {
            throw CLIError.usage("Only one credential can be read from standard input; read the others from files or environment variables.")
        }
    }

    /// Reads the secret values now, so they are in memory only from here on.
    func apply<Draft>(to draft: inout ConnectionDraft<Draft>, wrap: (Secret) -> Draft) throws {
        draft.accessToken = try input(accessTokenFrom, accessTokenReference, option: "access-token-from", label: "Access Token", wrap)
        draft.clientID = try input(clientIDFrom, clientIDReference, option: "client-id-from", label: "Client ID", wrap)
        draft.clientSecret = try input(clientSecretFrom, clientSecretReference, option: "client-secret-from", label: "Client Secret", wrap)
    }

    private func input<Draft>(
        _ source: String?, _ reference: String?, option: String, label: String, _ wrap: (Secret) -> Draft
    ) throws -> CredentialInput<Draft>? {
        if let reference { return .reference(reference) }
        guard let source else { return nil }
        return .value(wrap(try SecretSource(source, option: option).read(label: label)))
    }
}
