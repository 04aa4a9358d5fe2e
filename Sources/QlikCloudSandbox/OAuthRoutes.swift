import Foundation
import Hummingbird

/// `POST /oauth/token` (client credentials; the id and secret in a JSON
/// body, a form body, or HTTP Basic) and `POST /oauth/revoke`.
struct OAuthRoutes {
    let tenant: Tenant

    struct TokenRequest {
        var grantType: String?
        var clientID: String?
        var clientSecret: String?
        var scope: String?
        var token: String?
    }

    struct TokenResponse: Encodable {
        let access_token: String
        let token_type: String
        let expires_at: String
        let expires_in: Int
        let scope: String
    }

    func register(on router: Router<SandboxContext>) {
        router.post("/oauth/token") { request, _ in try await token(request) }
        router.post("/oauth/revoke") { request, _ in try await revoke(request) }
    }

    private func token(_ request: Request) async throws -> Response {
        var fields = try await Self.fields(of: request)
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard let decoded = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                  let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") else {
                throw QlikErrorResponse(.badRequest, code: "OAUTH-2", title: "invalid_request", detail: "The Basic authorization header is malformed.")
            }
            fields.clientID = fields.clientID ?? String(text[..<colon]).removingPercentEncoding
            fields.clientSecret = fields.clientSecret ?? String(text[text.index(after: colon)...]).removingPercentEncoding
        }
        guard fields.grantType == "client_credentials" else {
            throw QlikErrorResponse(.badRequest, code: "OAUTH-2", title: "unsupported_grant_type",
                                    detail: "grant_type must be client_credentials; got '\(fields.grantType ?? "")'.")
        }
        guard let clientID = fields.clientID, let secret = fields.clientSecret else {
            throw QlikErrorResponse(.badRequest, code: "OAUTH-2", title: "invalid_request", detail: "client_id and client_secret are required.")
        }
        try await tenant.charge("client:\(clientID)", tier: .two)
        let token = try await tenant.issueToken(clientID: clientID, clientSecret: secret, scope: fields.scope)
        let lifetime = Int(token.expiresAt.timeIntervalSince(tenant.clock()).rounded())
        return try JSONResponse.make(TokenResponse(access_token: token.token, token_type: "bearer", expires_at: JSONResponse.timestamp(token.expiresAt),
                                                   expires_in: lifetime, scope: token.scope))
    }

    private func revoke(_ request: Request) async throws -> Response {
        let fields = try await Self.fields(of: request)
        guard let token = fields.token else {
            throw QlikErrorResponse(.badRequest, code: "OAUTH-2", title: "invalid_request", detail: "token is required.")
        }
        await tenant.revoke(token: token)
        return Response(status: .ok)
    }

    /// The request's fields, from JSON or from an urlencoded form.
    static func fields(of request: Request) async throws -> TokenRequest {
        let body = try await request.body.collect(upTo: 64 << 10)
        let text = String(buffer: body)
        var values: [String: String] = [:]
        if (request.headers[.contentType] ?? "").lowercased().contains("json") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
                throw QlikErrorResponse(.badRequest, code: "OAUTH-2", title: "invalid_request", detail: "The body is not a JSON object.")
            }
            for (key, value) in object { if let string = value as? String { values[key] = string } }
        } else {
            for pair in text.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
                if parts.count == 2 { values[parts[0]] = parts[1] }
            }
        }
        return TokenRequest(grantType: values["grant_type"], clientID: values["client_id"], clientSecret: values["client_secret"],
                            scope: values["scope"], token: values["token"])
    }
}
