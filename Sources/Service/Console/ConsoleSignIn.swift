import Foundation
import Hummingbird
import HTTPTypes
import Repository

/// Signing in to the console: the form (with its CSRF token), then the
/// attempt counted, then the password checked, then the session.
extension Console {
    var throttle: SignInThrottle { SignInThrottle(attempts: service.repository) }

    func signInPage(_ request: Request) -> Response {
        signInForm(token: SignInToken.carried(by: request) ?? ConsoleSession.randomToken())
    }

    /// The form, its token in a hidden field and (again) in the cookie.
    func signInForm(token: String, email: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok, retryAfter: Int? = nil) -> Response {
        var values: [String: Any] = ["title": "Sign in", "csrf": token]
        values["email"] = email
        values["error"] = error
        var headers: HTTPFields = [.setCookie: SignInToken.cookie(token)]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return page("sign-in", values, status: status, headers: headers)
    }

    func signIn(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let form = try await FormBody.read(request)
        let email = form["email"]?.trimmingCharacters(in: .whitespaces) ?? ""
        guard SignInToken.matches(request, form) else {
            // Nothing is counted or checked: a forged post must not lock the address out either.
            service.logger.notice("console sign-in refused: the form's CSRF token is missing or wrong")
            return signInForm(token: SignInToken.carried(by: request) ?? ConsoleSession.randomToken(), email: email,
                              error: "This sign-in form's security token is missing or does not match (the page was open for more than "
                                  + "\(SignInToken.lifetime / 3600) hours, cookies are blocked, or the form was sent from another site). "
                                  + "Nothing was checked: sign in again with this form.",
                              status: .forbidden)
        }
        let token = SignInToken.carried(by: request) ?? ConsoleSession.randomToken()
        let keys = SignInThrottle.keys(email: email, client: context.remoteAddress)
        // Counted before the password check, atomically: concurrent tries over the limit never reach it.
        if case .refused(let seconds, let byClient) = try await throttle.reserve(keys) {
            let minutes = (seconds + 59) / 60
            let at = ISODate.string(Date().addingTimeInterval(Double(seconds))).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
            let whose = byClient ? "from your network address" : "for this e-mail address"
            service.logger.notice("console sign-in throttled", metadata: ["email": "\(email)", "byClient": "\(byClient)"])
            return signInForm(token: token, email: email,
                              error: "Too many failed sign-ins \(whose). Try again in \(minutes) minute(s), after \(at).",
                              status: .tooManyRequests, retryAfter: seconds)
        }
        let password = form["password"] ?? ""
        // The address may have a user in several organizations: the password tells which. Unknown or disabled costs the
        // same work (the decoy's), so timing does not tell which addresses exist.
        let candidates = try await service.repository.usersForSignIn(email: email).compactMap { found in
            found.user.disabled ? nil : found.passwordHash.map { (found.user, $0) }
        }
        let opened = await service.passwords.matching(password, hashes: candidates.map(\.1)).map { candidates[$0].0 }
        guard opened.count == 1, let user = opened.first else {
            service.logger.notice("console sign-in refused", metadata: ["email": "\(email)", "accounts opened": "\(opened.count)"])
            let error = opened.isEmpty ? "The e-mail address or the password is wrong."
                : "This e-mail address and password open accounts in \(opened.count) organizations; ask an administrator of one of them "
                    + "to give that account another password, then sign in with the password of the organization you mean."
            return signInForm(token: token, email: email, error: error, status: .unauthorized)
        }
        try await throttle.succeeded(keys)
        let secret = ConsoleSession.randomToken()
        try await service.repository.createSession(secretHash: ConsoleSession.hash(secret), user: user, csrfToken: ConsoleSession.randomToken(),
                                                   expiresAt: Date().addingTimeInterval(ConsoleSession.lifetime))
        service.logger.info("console sign-in", metadata: ["user": "\(user.email)"])
        return Response(status: .seeOther, headers: [.location: "/console", .setCookie: ConsoleSession.cookie(secret)])
    }
}
