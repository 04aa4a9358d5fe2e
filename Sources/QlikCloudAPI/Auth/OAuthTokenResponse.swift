import Foundation

/// The answer of `POST /oauth/token`. Qlik's published schema has
/// `expires_at` (ISO-8601); some deployments add `expires_in` (seconds).
struct OAuthTokenResponse: Decodable {
    let accessToken: String
    let expiresIn: Double?
    let expiresAt: String?

    private enum CodingKeys: String, CodingKey {
        case accessToken = "access_token", expiresIn = "expires_in", expiresAt = "expires_at"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        accessToken = try container.decode(String.self, forKey: .accessToken)
        if let seconds = try? container.decodeIfPresent(Double.self, forKey: .expiresIn) {
            expiresIn = seconds
        } else {
            expiresIn = (try? container.decodeIfPresent(String.self, forKey: .expiresIn)).flatMap { $0.flatMap(Double.init) }
        }
        expiresAt = try? container.decodeIfPresent(String.self, forKey: .expiresAt)
    }

    static let defaultLifetime: TimeInterval = 6 * 3600

    /// When the token stops working: `expires_in`, else `expires_at`, else Qlik's 6 hours.
    func expiry(receivedAt now: Date) -> Date {
        if let expiresIn, expiresIn > 0 { return now.addingTimeInterval(expiresIn) }
        if let expiresAt, let date = Self.parseTimestamp(expiresAt) { return date }
        return now.addingTimeInterval(Self.defaultLifetime)
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: text) { return date }
        return ISO8601DateFormatter().date(from: text)
    }
}
