public import QlikConnections
import Dispatch
import HummingbirdBcrypt

/// bcrypt, run on a dispatch queue: a hash takes a large fraction of a
/// second by design, and on the cooperative pool (two threads here) it
/// would stall every other request meanwhile.
public struct PasswordHasher: Sendable {
    /// 12 in service; tests lower it (4) to keep their run short.
    public let cost: UInt8
    /// Verified against when an address is unknown, so a refusal costs the same either way.
    private let decoy: String

    public init(cost: UInt8 = 12) {
        self.cost = cost
        decoy = Bcrypt.hash("no such user", cost: cost)
    }

    public func hash(_ password: Password) async -> String {
        let cost = self.cost
        return await Self.offPool { Bcrypt.hash(password.value, cost: cost) }
    }

    /// Whether `password` matches `hash`; with no hash, the same work against the decoy, then false.
    public func verify(_ password: String, hash: String?) async -> Bool {
        let decoy = self.decoy
        let verified = await Self.offPool { Bcrypt.verify(password, hash: hash ?? decoy) }
        return hash != nil && verified
    }

    /// The indexes of `hashes` that `password` matches, checked side by side; with none to check, the decoy's work, then none.
    /// An address may have a user in several organizations (e-mail addresses are unique per organization), each with its own password.
    public func matching(_ password: String, hashes: [String]) async -> [Int] {
        guard !hashes.isEmpty else {
            _ = await verify(password, hash: nil)
            return []
        }
        return await withTaskGroup(of: (Int, Bool).self) { group in
            for (index, hash) in hashes.enumerated() {
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
