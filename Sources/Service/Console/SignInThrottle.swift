import Foundation
import HTTPTypes
import NIOCore
import QlikConnections
import Repository

/// Console sign-in attempts, counted in the repository before the password
/// is checked, so that concurrent tries cannot all pass a check made before
/// any of them is counted, and every replica on the same database counts
/// together. Five attempts per e-mail address and twenty per client address
/// in a 15-minute window; a sign-in that succeeds forgets its address's
/// attempts and gives its client's attempt back.
struct SignInThrottle: Sendable {
    static let perAddress = 5
    static let perClient = 20
    static let window: TimeInterval = 15 * 60
    /// Read only from a trusted proxy (``TrustedProxies``).
    static let forwardedFor = HTTPField.Name("X-Forwarded-For") ?? .via

    let attempts: any SignInAttemptStore

    /// The counters one sign-in attempt counts against.
    struct Keys: Sendable {
        let address: String
        /// Nil when the peer has no IP address (a Unix socket, the tests' in-process router).
        let client: String?
    }

    enum Outcome: Sendable, Equatable {
        case reserved
        /// Nothing counted; `byClient` when the client address (rather than the e-mail address) is at its limit.
        case refused(seconds: Int, byClient: Bool)
    }

    static func keys(email: String, client: SocketAddress?) -> Keys {
        Keys(address: "email:" + EmailAddress.comparisonKey(email), client: client.flatMap(clientKey))
    }

    /// An IPv4 address as it is; an IPv6 one by its /64, the block one subscriber usually holds whole.
    static func clientKey(_ address: SocketAddress) -> String? {
        switch address {
        case .v4: return address.ipAddress.map { "client:" + $0 }
        case .v6(let v6):
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            guard bytes.count == 16 else { return nil }
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
                return "client:" + bytes[12...].map(String.init).joined(separator: ".")
            }
            return "client:" + stride(from: 0, to: 8, by: 2).map { String(format: "%x", UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])) }
                .joined(separator: ":") + "::/64"
        case .unixDomainSocket: return nil
        }
    }

    func reserve(_ keys: Keys, now: Date = Date()) async throws -> Outcome {
        var limits = [AttemptLimit(key: keys.address, limit: Self.perAddress, window: Self.window)]
        if let client = keys.client { limits.append(AttemptLimit(key: client, limit: Self.perClient, window: Self.window)) }
        switch try await attempts.reserveAttempt(limits, at: now) {
        case .reserved:
            return .reserved
        case .refused(let refused, let retryAfter):
            return .refused(seconds: max(1, Int(retryAfter.rounded(.up))), byClient: !refused.contains(keys.address))
        }
    }

    func succeeded(_ keys: Keys, now: Date = Date()) async throws {
        try await attempts.releaseAttempt(clearing: [keys.address], returning: keys.client.map { [$0] } ?? [], at: now)
    }
}
