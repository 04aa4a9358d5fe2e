import Hummingbird

/// Applies ``SandboxFaults`` to HTTP requests: latency first, then a drawn
/// 502/503 or 429 in place of the real answer.
struct FaultMiddleware: RouterMiddleware {
    typealias Context = SandboxContext
    let tenant: Tenant
    let faults: SandboxFaults

    func handle(_ request: Request, context: SandboxContext, next: (Request, SandboxContext) async throws -> Response) async throws -> Response {
        if faults.latency > .zero { try await Task.sleep(for: faults.latency) }
        switch await tenant.drawFault() {
        case .serverError(let status):
            throw QlikErrorResponse(status, title: status == .badGateway ? "Bad Gateway" : "Service Unavailable",
                                    detail: "Injected by the sandbox's fault settings.")
        case .rateLimited:
            throw QlikErrorResponse(.tooManyRequests, title: "API rate limit reached.", detail: "Injected by the sandbox's fault settings.",
                                    retryAfterSeconds: faults.rateLimitRetryAfterSeconds)
        case nil:
            return try await next(request, context)
        }
    }
}
