import ConnectorAPI
import Foundation
import Hummingbird
import HTTPTypes
import QlikConnections
import Repository
import UseCases

/// Signing in to the console: the form (with its CSRF token), then the
/// attempt counted, then the account looked up in the organization the form
/// names and its password checked, then the session. The organization is
/// part of the sign-in so that no answer depends on another organization's
/// accounts: an e-mail address may have an account in several, each its own.
extension Console {
    var throttle: SignInThrottle { SignInThrottle(attempts: service.repository) }

    /// One refusal for a wrong organization, an unknown address and a wrong password alike.
    static let refusal = "The organization, the e-mail address or the password is wrong."

    func signInPage(_ request: Request) -> Response {
        signInForm(token: SignInToken.carried(by: request) ?? OpaqueToken.generate(.session), organization: OrganizationCookie.prefill(request))
    }

    /// The form, its token in a hidden field and (again) in the cookie.
    func signInForm(token: OpaqueToken, organization: String? = nil, email: String? = nil, error: String? = nil, status: HTTPResponse.Status = .ok,
                    retryAfter: Int? = nil) -> Response {
        var values: [String: Any] = ["title": "Sign in", "csrf": token.text]
        values["organization"] = organization
        values["email"] = email
        values["error"] = error
        var headers: HTTPFields = [:]
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        var response = page("sign-in", values, status: status, headers: headers)
        response.setCookie(SignInToken.cookie(token))
        return response
    }

    func signIn(_ request: Request, _ context: ServiceContext) async throws -> Response {
        let form = try await SignInForm.read(request)
        let organization = form.organization?.trimmingCharacters(in: .whitespaces) ?? ""
        let email = form.email?.trimmingCharacters(in: .whitespaces) ?? ""
        guard SignInToken.matches(request, form) else {
            // Nothing is counted or checked: a forged post must not lock the address out either.
            service.logger.notice("console sign-in refused: the form's CSRF token is missing or wrong")
            return signInForm(token: SignInToken.carried(by: request) ?? OpaqueToken.generate(.session), organization: organization, email: email,
                              error: "This sign-in form's security token is missing or does not match (the page was open for more than "
                                  + "\(SignInToken.lifetime / 3600) hours, cookies are blocked, or the form was sent from another site). "
                                  + "Nothing was checked: sign in again with this form.",
                              status: .forbidden)
        }
        let token = SignInToken.carried(by: request) ?? OpaqueToken.generate(.session)
        // Behind a trusted reverse proxy the client is the address the proxies forwarded, not the proxy's own.
        let client = service.trustedProxies.client(peer: context.remoteAddress, forwardedFor: request.headers[values: SignInThrottle.forwardedFor])
        let keys = SignInThrottle.keys(email: email, client: client)
        // Counted before the password check, atomically: concurrent tries over the limit never reach it. Per address in
        // whichever organization (the key is the address alone), so naming other organizations buys no more guesses.
        if case .refused(let seconds, let byClient) = try await throttle.reserve(keys) {
            let minutes = (seconds + 59) / 60
            let at = ISODate.string(Date().addingTimeInterval(Double(seconds))).replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: " UTC")
            let whose = byClient ? "from your network address" : "for this e-mail address"
            service.logger.notice("console sign-in throttled", metadata: ["email": "\(email)", "byClient": "\(byClient)"])
            return signInForm(token: token, organization: organization, email: email,
                              error: "Too many failed sign-ins \(whose). Try again in \(minutes) minute(s), after \(at).",
                              status: .tooManyRequests, retryAfter: seconds)
        }
        let password = form.password ?? ""
        // Looked up in the named organization only. Whatever is found or not (no such organization, no such address there,
        // disabled, no password), one bcrypt check is made (PasswordHasher.checksPerSignIn): the decoy's when there is no
        // account to check, so the time taken does not tell which.
        let account = try await service.repository.userForSignIn(email: email, organization: organization)
        let hash = account.flatMap { $0.user.disabled ? nil : $0.passwordHash }
        guard await service.passwords.verify(password, hash: hash), let user = account?.user else {
            service.logger.notice("console sign-in refused", metadata: ["organization": "\(organization)", "email": "\(email)"])
            return signInForm(token: token, organization: organization, email: email, error: Self.refusal, status: .unauthorized)
        }
        try await throttle.succeeded(keys)
        let secret = OpaqueToken.generate(.session)
        try await service.repository.createSession(secretHash: secret.hash, user: user, csrfToken: OpaqueToken.generate(.session).text,
                                                   expiresAt: Date().addingTimeInterval(ConsoleSession.lifetime))
        let organizationName = try await service.repository.organization(user.organizationID).name
        service.logger.info("console sign-in", metadata: ["user": "\(user.email)", "organization": "\(organizationName)"])
        return Self.signedIn(secret: secret, organization: organizationName)
    }

    /// Into the console with the new session's cookie (first, as browsers and tests take it) and the organization remembered
    /// for the next sign-in.
    static func signedIn(secret: OpaqueToken, organization: OrganizationName) -> Response {
        var response = Response(status: .seeOther, headers: [.location: "/console"])
        response.setCookie(ConsoleSession.cookie(secret))
        response.setCookie(OrganizationCookie.cookie(organization))
        return response
    }
}
