import Foundation
import Hummingbird
import HTTPTypes
import Repository
import UseCases

/// Console sessions: a random secret (an ``OpaqueToken`` of kind session) in a
/// `Secure; HttpOnly; SameSite=Strict` cookie scoped to /console (only its
/// SHA-256 is stored), and a CSRF token every form posts back.
enum ConsoleSession {
    static let cookieName = "qc_session"
    static let lifetime: TimeInterval = 8 * 3600

    static func cookie(_ secret: OpaqueToken) -> Cookie {
        Cookie(name: cookieName, value: secret.text, maxAge: Int(lifetime), path: "/console", secure: true, httpOnly: true, sameSite: .strict)
    }

    /// Sent on sign-out, so that the browser drops the session's cookie at once.
    static let expiredCookie = Cookie(name: cookieName, value: "", maxAge: 0, path: "/console", secure: true, httpOnly: true, sameSite: .strict)

    /// The session secret the request's cookie carries. A value of another shape was never issued: no session, as for an unknown one.
    static func secret(in request: Request) -> OpaqueToken? {
        request.cookies[cookieName].flatMap { try? OpaqueToken($0.value, as: .session) }
    }

    /// Equal strings, compared in time that does not depend on where they differ.
    static func same(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.utf8), b = Array(rhs.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// Every console page but sign-in needs a live session; every POST needs its CSRF token.
struct ConsoleAuthentication: RouterMiddleware {
    typealias Context = ServiceContext
    let sessions: any ConsoleSessionStore

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        guard let secret = ConsoleSession.secret(in: request),
              let (user, csrf) = try await sessions.session(secretHash: secret.hash, at: Date()) else {
            return Response(status: .seeOther, headers: [.location: "/console/sign-in"])
        }
        var context = context
        context.principal = Principal(user: user, tokenID: nil)
        context.csrfToken = csrf
        return try await next(request, context)
    }
}
