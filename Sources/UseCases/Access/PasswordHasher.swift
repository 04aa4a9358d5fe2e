public import QlikConnections
import Dispatch
import HummingbirdBcrypt

/// bcrypt, run on a dispatch queue: a hash takes a large fraction of a
/// second by design, and on the cooperative pool (two threads here) it
/// would stall every other request meanwhile.
public struct PasswordHasher: Sendable {
    /// How many hashes every sign-in checks its password against: one, the account's in the organization the sign-in
    /// names, or the decoy when there is none there (unknown organization or address, disabled, no password). A wrong
    /// organization, an unknown address and a wrong password cost the same bcrypt work, so timing tells them apart no
    /// better than the answer does.
    public static let checksPerSignIn = 1

    /// 12 in service; tests lower it (4) to keep their run short.
    public let cost: UInt8
    /// Verified against in place of an account that is not there, so a refusal costs the same either way.
    private let decoy: String
    /// bcrypt's check; tests count the calls through it.
    private let check: @Sendable (_ password: String, _ hash: String) -> Bool

    public init(cost: UInt8 = 12) {
        self.init(cost: cost) { password, hash in Bcrypt.verify(password, hash: hash) }
    }

    init(cost: UInt8, check: @escaping @Sendable (_ password: String, _ hash: String) -> Bool) {
        self.cost = cost
        self.check = check
        decoy = Bcrypt.hash("no such user", cost: cost)
    }

    public func hash(_ password: Password) async -> String {
        let cost = self.cost
        return await Self.offPool { Bcrypt.hash(password.value, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash, the same work against the decoy, then false.
    public func verify(_ password: String, hash: String?) async -> Bool {
        let decoy = self.decoy, check = self.check
        let verified = await Self.offPool { check(password, hash ?? decoy) }
        return hash != nil && verified
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
