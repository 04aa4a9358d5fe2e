/// Turns a host name into every address it resolves to, for the checks before a request.
///
/// A protocol here, because this module does no I/O: the system resolver (getaddrinfo on a thread pool)
/// lives in HostResolution, and tests give their own answers.
public protocol HostNameResolver: Sendable {
    /// Every address the name `host` resolves to (IP literals are classified without asking); a refusal naming the host when none.
    func addresses(of host: String, port: Int) async throws(HostRefusal) -> [HostAddress]
}
