import Foundation
import Hummingbird

/// The sign-in form's CSRF token (against login CSRF: a cross-site form
/// signing a victim in as the attacker). There is no session yet to tie it
/// to, so the same random value goes in a cookie and in the form, and a
/// POST must bring both. A cross-site form cannot: the cookie is
/// `SameSite=Strict` (not sent with it), `HttpOnly`, and `__Host-` (only
/// this origin over a secure connection can set it, not a sibling
/// subdomain), and the page that holds the value cannot be read from
/// another origin.
enum SignInToken {
    static let cookieName = "__Host-qc_sign_in"
    static let lifetime = 2 * 3600

    static func cookie(_ token: String) -> String {
        "\(cookieName)=\(token); Path=/; Max-Age=\(lifetime); HttpOnly; Secure; SameSite=Strict"
    }

    /// The token the request's cookie carries, when it has the shape of one this service issued.
    static func carried(by request: Request) -> String? {
        guard let token = ConsoleSession.cookie(cookieName, in: request), token.count == 43,
              token.utf8.allSatisfy({ $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0)
                  || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) else { return nil }
        return token
    }

    /// True when the posted form's token is the cookie's.
    static func matches(_ request: Request, _ form: FormBody) -> Bool {
        guard let expected = carried(by: request), let sent = form["csrf"] else { return false }
        return ConsoleSession.same(sent, expected)
    }
}
