import Foundation
import Hummingbird
import UseCases

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

    static func cookie(_ token: OpaqueToken) -> Cookie {
        Cookie(name: cookieName, value: token.text, maxAge: lifetime, path: "/", secure: true, httpOnly: true, sameSite: .strict)
    }

    /// The token the request's cookie carries, when it has the shape of one this service issued.
    static func carried(by request: Request) -> OpaqueToken? {
        request.cookies[cookieName].flatMap { try? OpaqueToken($0.value, as: .session) }
    }

    /// True when the posted form's token is the cookie's.
    static func matches(_ request: Request, _ form: SignInForm) -> Bool {
        guard let expected = carried(by: request), let sent = form.csrf else { return false }
        return ConsoleSession.same(sent, expected.text)
    }
}
