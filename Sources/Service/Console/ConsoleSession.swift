import Foundation
import Hummingbird
import HTTPTypes
import Repository
import Secrets

/// Console sessions: a random secret in a `Secure; HttpOnly; SameSite=Strict`
/// cookie scoped to /console (only its SHA-256 is stored), and a CSRF token
/// every form posts back.
enum ConsoleSession {
    static let cookieName = "qc_session"
    static let lifetime: TimeInterval = 8 * 3600

    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ secret: String) -> Data { SHA256Digest.data(secret) }

    static func cookie(_ secret: String) -> String {
        "\(cookieName)=\(secret); Path=/console; Max-Age=\(Int(lifetime)); HttpOnly; Secure; SameSite=Strict"
    }

    static let expiredCookie = "\(cookieName)=; Path=/console; Max-Age=0; HttpOnly; Secure; SameSite=Strict"

    /// The session secret a request's Cookie header carries.
    static func secret(in request: Request) -> String? { cookie(cookieName, in: request) }

    /// The value of the cookie `name` in the request's Cookie headers, when not empty.
    static func cookie(_ name: String, in request: Request) -> String? {
        for header in request.headers[values: .cookie] {
            for part in header.split(separator: ";") {
                let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
                if pair.count == 2, pair[0] == name, !pair[1].isEmpty { return String(pair[1]) }
            }
        }
        return nil
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
              let (user, csrf) = try await sessions.session(secretHash: ConsoleSession.hash(secret), at: Date()) else {
            return Response(status: .seeOther, headers: [.location: "/console/sign-in"])
        }
        var context = context
        context.principal = Principal(user: user, tokenID: nil)
        context.csrfToken = csrf
        return try await next(request, context)
    }
}

/// A form body (`application/x-www-form-urlencoded`) as names and values.
struct FormBody {
    let values: [String: String]

    static func read(_ request: Request) async throws -> FormBody {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        var values: [String: String] = [:]
        for pair in String(buffer: buffer).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                let spaced = text.replacingOccurrences(of: "+", with: " ")
                return spaced.removingPercentEncoding ?? spaced
            }
            values[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return FormBody(values: values)
    }

    subscript(_ name: String) -> String? { values[name] }

    /// A field as typed, or nil when it is missing or blank.
    func text(_ name: String) -> String? {
        guard let value = values[name], !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }
}
