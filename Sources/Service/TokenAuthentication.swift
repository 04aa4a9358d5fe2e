import Foundation
import Hummingbird
import Repository
import UseCases

/// Every `/api/v1` route needs `Authorization: Bearer qcs_...`: a personal
/// API token that is neither revoked nor expired, of a user not disabled.
struct TokenAuthentication: RouterMiddleware {
    typealias Context = ServiceContext
    let tokens: any AccessTokenStore

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError.unauthenticated("The request has no Authorization header; send 'Authorization: Bearer <personal API token>'.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", parts[1].hasPrefix(OpaqueToken.Kind.personal.scheme) else {
            throw APIError.unauthenticated("The Authorization header is not 'Bearer qcs_...'.")
        }
        let unknown = APIError.unauthenticated("The token is unknown, revoked or expired, or its user is disabled.")
        let secret: OpaqueToken
        do {
            secret = try OpaqueToken(String(parts[1]), as: .personal)
        } catch {
            // A qcs_ text of another shape was never issued: answered as any unknown token, without a query.
            throw unknown
        }
        guard let (user, token) = try await tokens.principal(forSecretHash: secret.hash, at: Date()) else { throw unknown }
        var context = context
        context.principal = Principal(user: user, tokenID: token.id)
        return try await next(request, context)
    }
}

/// Errors from below turned into the API's JSON errors, so no route answers a bare 500 page.
struct ErrorMapping: RouterMiddleware {
    typealias Context = ServiceContext

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            Self.logDetail(of: error, context: context)
            throw error
        } catch let error as any HTTPResponseError {
            throw error
        } catch {
            let mapped = APIError.from(error)
            Self.logDetail(of: mapped, context: context)
            throw mapped
        }
    }

    /// The operator's account of a failure the answer words for the client (without paths or addresses on this machine).
    static func logDetail(of error: APIError, context: ServiceContext) {
        guard let detail = error.detail else { return }
        context.logger.error("request failed", metadata: ["status": "\(error.status.code)", "code": "\(error.code)", "error": "\(detail)"])
    }
}
