import Hummingbird

/// Turns the router's 404 for a path that is routed, but not for this method, into a 405 naming the methods it takes.
/// Added after every route, so it wraps only the router's not-found responder: Hummingbird applies a middleware to the
/// routes added after it and to the not-found responder it builds last.
struct MethodNotAllowed: RouterMiddleware {
    typealias Context = ServiceContext
    let routes: RouteTable

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            let methods = routes.methods(for: request.uri.path)
            guard !methods.isEmpty, !methods.contains(request.method) else { throw error }
            let names = methods.map(\.rawValue)
            var notAllowed = APIError(.methodNotAllowed, code: "method_not_allowed",
                                      "\(request.method.rawValue) is not an operation of \(request.uri.path); it takes \(names.joined(separator: ", ")).")
            notAllowed.allowed = names
            throw notAllowed
        }
    }
}
