import Hummingbird

/// Each request's context: Hummingbird's core, plus the user its bearer token stands for.
struct SandboxContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    var user: SandboxUser?

    init(source: Source) {
        coreContext = .init(source: source)
        user = nil
    }

    /// The authenticated user; routes behind the middleware always have one.
    func requireUser() throws(QlikErrorResponse) -> SandboxUser {
        guard let user else { throw .unauthorized("Authentication is required.") }
        return user
    }
}

/// Every route but /oauth/* needs `Authorization: Bearer <token>`: an API
/// key or an OAuth access token. Also charges the caller's rate budget.
struct BearerAuthentication: RouterMiddleware {
    typealias Context = SandboxContext
    let tenant: Tenant

    func handle(_ request: Request, context: SandboxContext, next: (Request, SandboxContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw QlikErrorResponse.unauthorized("The request has no Authorization header; send 'Authorization: Bearer <token>'.")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw QlikErrorResponse.unauthorized("The Authorization header is not 'Bearer <token>'.")
        }
        var context = context
        let user = try await tenant.authenticate(bearer: String(parts[1]))
        // Qlik's tier 2 covers writes; reads are tier 1.
        try await tenant.charge(user.id, tier: request.method == .get || request.method == .head ? .one : .two)
        context.user = user
        return try await next(request, context)
    }
}
