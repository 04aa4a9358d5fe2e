public import Logging
public import QlikConnections

/// One entry of the operator's tenant host allow-list as it is stored: a pattern this version reads, or text it refuses
/// (kept by a version with looser rules, or written by hand). A refused entry admits nothing, and nothing else stops
/// for it: every other entry keeps working, and the operator is told how to take it off the list.
public enum TenantHostEntry: Sendable, Hashable {
    case admitted(HostPattern)
    /// `text` as stored; `reason`: why it is not a host pattern.
    case refused(text: String, reason: String)

    init(stored text: String) {
        do { self = .admitted(try HostPattern(text)) } catch { self = .refused(text: text, reason: error.description) }
    }

    /// The entry as stored: what `qlik-connector hosts remove` takes.
    public var text: String {
        switch self {
        case .admitted(let pattern): pattern.description
        case .refused(let text, _): text
        }
    }

    public var pattern: HostPattern? {
        if case .admitted(let pattern) = self { return pattern }
        return nil
    }

    /// The command that takes this entry off the list, quoted for a POSIX shell.
    public var removal: String { "qlik-connector hosts remove '\(text.replacingOccurrences(of: "'", with: #"'\''"#))'" }

    /// Where refused entries are reported when the caller names no logger: the process's logging system (serve sends it
    /// to standard error), or the logger a caller binds for what it runs (a command, to its own terminal).
    @TaskLocal public static var logger = Logger(label: "qlik-connector.tenant-hosts")
}

extension TenantHostStore {
    /// The entries that admit hosts, in the order they were added. An entry this version cannot read is skipped and
    /// reported to `logger`, naming it and the command that removes it, each time the list is read: a check right before
    /// a request must not fail for every connection because of one entry that admits nothing.
    public func tenantHostPatterns(loggingTo logger: Logger = TenantHostEntry.logger) async throws -> [HostPattern] {
        var patterns: [HostPattern] = []
        for entry in try await tenantHostEntries() {
            switch entry {
            case .admitted(let pattern):
                patterns.append(pattern)
            case .refused(let text, let reason):
                logger.warning("""
                    the tenant host allow-list entry '\(text)' is not a host pattern (\(reason)); it admits nothing and is skipped: \
                    remove it with \(entry.removal), then allow the host again in a form that 'qlik-connector hosts --help' shows
                    """)
            }
        }
        return patterns
    }

    /// Removes an entry this version reads; false when the list does not have it.
    public func removeTenantHost(_ pattern: HostPattern, by actor: AuditActor) async throws -> Bool {
        try await removeTenantHost(entry: pattern.description, by: actor)
    }
}
