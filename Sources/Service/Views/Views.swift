import Foundation
import QlikConnections
import Repository

/// One page of a list, and where the next starts.
public struct Page<Item: Codable & Sendable>: Codable, Sendable {
    public let items: [Item]
    public let total: Int
    public let nextCursor: String?
}
