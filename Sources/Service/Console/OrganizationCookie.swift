import Foundation
import Hummingbird
import QlikConnections

/// The organization the sign-in form is filled with: the one an
/// administrator's link names (`?organization=NAME`), else the one this
/// browser last signed in to, remembered in a plain cookie. The name is no
/// secret (the person typed it), so the cookie is neither signed nor
/// sealed; it is `HttpOnly` because no script needs it. Only a valid
/// organization name is shown, never arbitrary text from a link or cookie.
enum OrganizationCookie {
    static let name = "qc_org"
    /// A year: the point is not to type the organization again.
    static let lifetime = 365 * 24 * 3600
    /// Percent-encoded outside these, so that any organization name (spaces, commas, any script) is a valid cookie value.
    private static let kept = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")

    static func cookie(_ organization: OrganizationName) -> Cookie {
        let value = organization.value.addingPercentEncoding(withAllowedCharacters: kept) ?? ""
        return Cookie(name: name, value: value, maxAge: lifetime, path: "/console", secure: true, httpOnly: true, sameSite: .strict)
    }

    /// The organization to fill the form with: the query's, else the cookie's, when it is a valid organization name.
    static func prefill(_ request: Request) -> String? {
        if let asked = request.uri.queryParameters.get("organization") {
            return valid(String(asked))
        }
        return request.cookies[name].flatMap { $0.value.removingPercentEncoding }.flatMap(valid)
    }

    private static func valid(_ text: String) -> String? {
        do { return try OrganizationName(text).value } catch { return nil }
    }
}
