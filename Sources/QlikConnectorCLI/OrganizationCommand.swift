import ArgumentParser
import Foundation
import QlikConnections
import Repository
import Secrets
import ConnectorAPI
import UseCases

struct OrganizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "org",
        abstract: "Create, show and configure organizations.",
        subcommands: [Create.self, Show.self, List.self, Set.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organization with its serverless runtime environment.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "Organization name.") var name: String
        @Option(help: "Where credentials are kept when the secret vault is off: repository or local-agent.")
        var credentialStorage: String = CredentialStorage.repository.rawValue
        /// Gone: refused with what replaces it, rather than ArgumentParser's bare "unknown option".
        @Flag(help: .hidden) var allowCustomTenantHosts = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if allowCustomTenantHosts { throw CLIError.usage(OrganizationCommand.customHostsMoved) }
            let workspace = try await Workspace.open(global)
            let organization = Organization(
                name: try OrganizationName(name),
                credentialStorage: try OrganizationCommand.storage(credentialStorage)
            )
            try await workspace.repository.createOrganization(organization, by: workspace.actor)
            if json { try Output.json(Components.Schemas.Organization(organization)) } else {
                Terminal.current.line("Created organization '\(organization.name)' with the serverless runtime environment '\(RuntimeEnvironmentName.serverless)'.")
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the organization's settings.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            try OrganizationCommand.show(organization, json: json)
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List organizations.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let organizations = try await Workspace.open(global).repository.organizations()
            if json { return try Output.json(organizations.map { Components.Schemas.Organization($0) }) }
            Output.table(["NAME", "CREDENTIAL STORAGE", "SECRETS MANAGER"], organizations.map {
                [$0.name.value, $0.credentialStorage.rawValue, $0.secretsManager?.kind.rawValue ?? "none"]
            })
        }
    }

    struct Set: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change the organization's settings.")
        @OptionGroup var global: GlobalOptions
        @Option(help: "A new name.") var name: String?
        @Option(help: "repository or local-agent; applies to connections created or given new credentials afterwards.")
        var credentialStorage: String?
        /// Gone: refused with what replaces it.
        @Option(help: .hidden) var allowCustomTenantHosts: String?
        @Option(help: "none, aws or vault.") var secretsManager: String?
        @Option(help: "AWS region of the secrets manager, such as eu-west-1.") var awsRegion: String?
        @Option(help: "AWS Secrets Manager endpoint override (for a private endpoint).") var awsEndpoint: String?
        @Option(help: "HashiCorp Vault address, such as https://vault.example.com:8200.") var vaultAddress: String?
        @Option(help: "HashiCorp Vault KV v2 mount (default secret).") var vaultMount: String?
        @Option(name: .customLong("aws-access-key-id-from"), help: ArgumentHelp("Keep the secrets manager's AWS Access Key ID in the settings, read from \(SecretSource.expectedForm).", valueName: "source"))
        var awsAccessKeyIDFrom: String?
        @Option(name: .customLong("aws-secret-access-key-from"), help: ArgumentHelp("... and its Secret Access Key.", valueName: "source"))
        var awsSecretAccessKeyFrom: String?
        @Option(name: .customLong("vault-role-id-from"), help: ArgumentHelp("Keep Vault's AppRole Role ID in the settings, read from \(SecretSource.expectedForm).", valueName: "source"))
        var vaultRoleIDFrom: String?
        @Option(name: .customLong("vault-secret-id-from"), help: ArgumentHelp("... and its Secret ID.", valueName: "source"))
        var vaultSecretIDFrom: String?
        @Flag(name: .customLong("manager-credentials-from-environment"),
              help: "Keep no secrets manager credentials in the settings: where a task runs, its environment serves (AWS_*, VAULT_ROLE_ID, VAULT_SECRET_ID).")
        var credentialsFromEnvironment = false
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            if allowCustomTenantHosts != nil { throw CLIError.usage(OrganizationCommand.customHostsMoved) }
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let sources: [(SecretsManagerField, String, String?)] = [
                (.awsAccessKeyID, "aws-access-key-id-from", awsAccessKeyIDFrom), (.awsSecretAccessKey, "aws-secret-access-key-from", awsSecretAccessKeyFrom),
                (.vaultRoleID, "vault-role-id-from", vaultRoleIDFrom), (.vaultSecretID, "vault-secret-id-from", vaultSecretIDFrom),
            ]
            let given = sources.filter { $0.2 != nil }
            if credentialsFromEnvironment, !given.isEmpty {
                throw CLIError.usage("--manager-credentials-from-environment keeps none; leave out --\(given[0].1).")
            }
            var change = OrganizationChange()
            if let name { change.name = try OrganizationName(name) }
            if let credentialStorage { change.credentialStorage = try OrganizationCommand.storage(credentialStorage) }
            if let secretsManager {
                change.secretsManager = .some(try managerSettings(secretsManager))
            } else if awsRegion != nil || awsEndpoint != nil || vaultAddress != nil {
                throw CLIError.usage("--aws-region, --aws-endpoint and --vault-address go with --secrets-manager aws|vault.")
            }
            if !given.isEmpty {
                var values: [SecretsManagerField: Secret] = [:]
                for (field, option, source) in given { values[field] = try SecretSource(source ?? "", option: option).read(label: field.label) }
                change.managerCredentials = values
            } else if credentialsFromEnvironment {
                change.managerCredentials = [:]
            }
            // The keys are loaded (or generated) only when there is something to seal.
            let keys = SealingKeys(given.isEmpty ? nil : try await workspace.liveKeyring())
            let changed = try await OrganizationSettings(repository: workspace.repository, keys: keys).change(organization, change, by: workspace.actor)
            try OrganizationCommand.show(changed.organization, credentials: changed.managerCredentials, json: json)
        }

        /// The settings --secrets-manager and its options choose, refused in the command's own words.
        private func managerSettings(_ kind: String) throws -> SecretsManagerSettings? {
            let choice = SecretsManagerChoice(kind: kind.lowercased(), region: awsRegion, endpoint: awsEndpoint, address: vaultAddress, mount: vaultMount)
            do {
                return try choice.settings()
            } catch let refusal as SecretsManagerChoice.Refusal {
                switch refusal {
                case .stray(let field, _): throw CLIError.usage("\(Self.option(field)) does not go with --secrets-manager \(kind).")
                case .missing(.region): throw CLIError.usage("--secrets-manager aws needs --aws-region, such as eu-west-1.")
                case .missing(let field): throw CLIError.usage("--secrets-manager vault needs \(Self.option(field)), such as https://vault.example.com:8200.")
                case .unknownKind: throw CLIError.usage("--secrets-manager '\(kind)' is unknown; expected none, aws or vault.")
                }
            }
        }

        private static func option(_ field: SecretsManagerChoice.Field) -> String {
            switch field {
            case .region: "--aws-region"
            case .endpoint: "--aws-endpoint"
            case .address: "--vault-address"
            case .mount: "--vault-mount"
            }
        }
    }

    static let customHostsMoved = "--allow-custom-tenant-hosts is gone: an organization no longer admits hosts outside Qlik Cloud itself. "
        + "The operator admits each one service-wide with 'qlik-connector hosts allow HOST:PORT' (for the sandbox: 'qlik-connector hosts allow 127.0.0.1:*')."

    static func storage(_ text: String) throws -> CredentialStorage {
        guard let storage = CredentialStorage(rawValue: text.lowercased()) else {
            throw CLIError.usage("Credential storage '\(text)' is unknown; expected repository or local-agent.")
        }
        return storage
    }

    static func show(_ organization: Organization, credentials: [SecretsManagerField] = [], json: Bool) throws {
        let view = Components.Schemas.Organization(organization, managerCredentials: credentials)
        if json { return try Output.json(view) }
        Output.fields([
            ("Organization", organization.name.value),
            ("ID", view.id),
            ("Credential storage", organization.credentialStorage == .repository
                ? "repository (sealed with AES-256-GCM)" : "local-agent (kept only on the Secure Agents)"),
            ("Secrets manager", view.secretsManager.map { "\($0.summary); \($0.credentialsSummary)" } ?? "none (Use Secret Vault unavailable)"),
            ("Hosts outside Qlik Cloud", "the operator's tenant host allow-list (qlik-connector hosts list)"),
            ("Created", Output.timestamp(organization.createdAt)),
        ])
    }
}
