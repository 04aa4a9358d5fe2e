import ArgumentParser
import Foundation
import QlikConnections
import Repository
import UseCases

/// `qlik-connector user`: the people of an organization, and their personal API tokens.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Create and list the service's users, and issue personal API tokens.",
        subcommands: [Create.self, List.self, Token.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a user of the organization (the first administrator, for one).",
            discussion: """
                Example: qlik-connector user create ada@example.com --admin --password-from env:ADA_PASSWORD --token laptop
                """
        )
        @OptionGroup var global: GlobalOptions
        @Argument(help: "E-mail address: the user's sign-in name, unique in the organization.") var email: String
        @Option(help: "Name shown in lists (default: the address).") var name: String?
        @Option(help: "admin, designer or viewer (default: viewer).") var role: String?
        @Flag(help: "Same as --role admin.") var admin = false
        @Option(help: "Where to read the password: env:NAME, file:PATH or - (standard input). None: token sign-in only.") var passwordFrom: String?
        @Option(help: "Also issue a personal API token with this name, printed once.") var token: String?

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            let roleText = admin ? "admin" : (role ?? "viewer")
            guard let role = UserRole(rawValue: roleText.lowercased()) else {
                throw CLIError.usage("--role '\(roleText)' is unknown; expected admin, designer or viewer.")
            }
            let address = try EmailAddress(email)
            var hash: String?
            if let passwordFrom {
                let secret = try SecretSource(passwordFrom, option: "password-from").read(label: "Password")
                hash = await PasswordHasher().hash(try Password(secret.reveal()))
            }
            let user = User(organizationID: organization.id, email: address, displayName: name ?? address.value, role: role)
            try await workspace.repository.createUser(user, passwordHash: hash, by: workspace.actor)
            Terminal.current.line("Created \(role.rawValue) \(address) in organization '\(organization.name)'.")
            if let token {
                let issued = try await AccessTokenIssuer.issue(for: user, name: token, in: workspace.repository, by: workspace.actor)
                Terminal.current.line("Personal API token '\(issued.token.name)' (shown once; keep it like a password):")
                Terminal.current.line(issued.secret)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the organization's users.")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            for user in try await workspace.repository.users(of: organization.id) {
                Terminal.current.line("\(user.email)\t\(user.role.rawValue)\(user.disabled ? "\tdisabled" : "")\t\(user.displayName.printable)")
            }
        }
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a personal API token for a user, printed once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: "The user's e-mail address.") var email: String
        @Option(help: "The token's name.") var name: String
        @Option(help: "Days until it stops working (1 to 3650; default: until revoked).") var expiresInDays: Int?

        func run() async throws {
            let workspace = try await Workspace.open(global)
            let organization = try await workspace.organization()
            guard let user = try await workspace.repository.user(email: email, in: organization.id) else {
                throw CLIError.usage("There is no user '\(email)' in organization '\(organization.name)'.")
            }
            let issued = try await AccessTokenIssuer.issue(for: user, name: name, expiresInDays: expiresInDays, in: workspace.repository, by: workspace.actor)
            Terminal.current.line(issued.secret)
        }
    }
}
