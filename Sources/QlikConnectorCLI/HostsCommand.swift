import ArgumentParser
import Foundation
import QlikConnections
import Repository

/// The operator's tenant host allow-list: the hosts outside Qlik Cloud (a sandbox, a test tenant, a local
/// Vault over http) that any organization's connections and secrets manager may reach. Only this command,
/// which holds the database, changes it: no API request or console page does.
struct HostsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hosts",
        abstract: "Admit hosts outside Qlik Cloud for the whole service (the operator's tenant host allow-list).",
        discussion: """
            Patterns: host:port, host:* (any port), host (any port), *.domain[:port]; IPv6 in brackets ([::1]:*).
            Loopback and private addresses are reached only for a listed host; link-local and cloud metadata
            addresses (169.254.0.0/16, fd00:ec2::254, metadata.google.internal) never are. The list is read
            again before every request: a removed entry stops existing connections at once.
              qlik-connector hosts allow '127.0.0.1:*'
              qlik-connector hosts list
              qlik-connector hosts remove '127.0.0.1:*'
            """,
        subcommands: [Allow.self, List.self, Remove.self],
        defaultSubcommand: List.self
    )

    struct Allow: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add entries to the allow-list.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Host patterns.", valueName: "pattern")) var patterns: [String]

        func run() async throws {
            // Every pattern is checked before any is written.
            let parsed = try HostsCommand.parse(patterns)
            let workspace = try await Workspace.open(global)
            for pattern in parsed {
                let added = try await workspace.repository.allowTenantHost(pattern, by: workspace.actor)
                Terminal.current.line(added ? "Allowed \(pattern)." : "\(pattern) is on the list already.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the allow-list, with any entry this version refuses and how to remove it.")
        @OptionGroup var global: GlobalOptions
        @Flag(help: "Print JSON: the entries that admit hosts (refused ones are named on standard error).") var json = false

        func run() async throws {
            let entries = try await Workspace.open(global).repository.tenantHostEntries()
            if json {
                // Standard output stays the list of patterns a script reads; a refused entry is said beside it.
                for entry in entries where entry.pattern == nil { Terminal.current.error(Self.refusal(entry)) }
                return try Output.json(entries.compactMap(\.pattern).map(\.description))
            }
            if entries.isEmpty {
                Terminal.current.line("No entry: connections reach Qlik Cloud tenants only, and secrets managers over https:// only.")
                return
            }
            for entry in entries {
                switch entry {
                case .admitted(let pattern): Terminal.current.line(pattern.description)
                case .refused: Terminal.current.line(Self.refusal(entry))
                }
            }
        }

        static func refusal(_ entry: TenantHostEntry) -> String {
            guard case .refused(let text, let reason) = entry else { return entry.text }
            return "\(text)    refused: not a host pattern (\(reason)); it admits nothing. Remove it with \(entry.removal)"
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove entries from the allow-list; connections to those hosts stop working at once.")
        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("Host patterns, as listed (a refused entry exactly as listed).", valueName: "pattern")) var patterns: [String]

        func run() async throws {
            guard !patterns.isEmpty else { throw CLIError.usage("Give at least one host pattern, such as '127.0.0.1:*'.") }
            let workspace = try await Workspace.open(global)
            let listed = try await workspace.repository.tenantHostEntries()
            // Each argument names a stored entry: a refused one by its text as stored, any other read as a pattern. All are checked first.
            var removals: [String] = []
            for argument in patterns {
                if listed.contains(where: { $0.pattern == nil && $0.text == argument }) {
                    removals.append(argument)
                    continue
                }
                let pattern = try HostsCommand.parse([argument])[0]
                guard listed.contains(.admitted(pattern)) else {
                    throw CLIError.usage("\(pattern) is not on the allow-list, which has: "
                        + (listed.isEmpty ? "no entry." : listed.map { "'\($0.text)'" }.joined(separator: ", ") + "."))
                }
                removals.append(pattern.description)
            }
            for entry in removals {
                _ = try await workspace.repository.removeTenantHost(entry: entry, by: workspace.actor)
                Terminal.current.line("Removed \(entry).")
            }
        }
    }

    static func parse(_ texts: [String]) throws -> [HostPattern] {
        guard !texts.isEmpty else { throw CLIError.usage("Give at least one host pattern, such as '127.0.0.1:*'.") }
        var parsed: [HostPattern] = []
        for text in texts {
            do { parsed.append(try HostPattern(text)) } catch { throw CLIError.usage(error.description) }
        }
        return parsed
    }
}
