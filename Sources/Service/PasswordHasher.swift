public import QlikConnections
import Dispatch
import HummingbirdBcrypt

/// bcrypt, run on a dispatch queue: a hash takes a large fraction of a
/// second by design, and on the cooperative pool (two threads here) it
/// would stall every other request meanwhile.
public struct PasswordHasher: Sendable {
    /// How many hashes every sign-in checks its password against: the address's accounts, padded with the decoy. An address
    /// with no account, one, or up to this many costs the same bcrypt work, so the time a sign-in takes does not tell whether
    /// the address has accounts in other organizations. Only an address with more accounts than this costs more (one check
    /// each): the README says so.
    public static let checksPerSignIn = 3

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

    /// The indexes of `hashes` that `password` matches, checked side by side, always against ``checksPerSignIn`` hashes at least
    /// (the decoy makes up the number). An address may have a user in several organizations (e-mail addresses are unique per
    /// organization), each with its own password.
    public func matching(_ password: String, hashes: [String]) async -> [Int] {
        let padded: [String?] = hashes + Array(repeating: nil, count: max(0, Self.checksPerSignIn - hashes.count))
        return await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, hash) in padded.enumerated() {
                group.addTask { (index, await self.verify(password, hash: hash)) }
            }
            var matched: [Int] = []
            for await (index, verified) in group where verified { matched.append(index) }
            return matched.sorted()
        }
    }

    private static func offPool<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(returning: work()) }
        }
    }
}
