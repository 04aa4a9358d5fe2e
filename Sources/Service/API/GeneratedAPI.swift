import ConnectorAPI
import Foundation
import Hummingbird
import OpenAPIHummingbird
import OpenAPIRuntime

/// The operations of openapi.yaml that the server generated from it serves (API/Generated/Server.swift; the list is
/// scripts/openapi/server.yaml's): each reads its typed input and answers its typed output, in one extension per area.
/// The others are still routes written by hand (Routes/).
struct GeneratedAPI: APIProtocol {
    let service: ConnectorService
}

extension ConnectorService {
    /// Registers the generated server's operations. On a group without a prefix (the generated paths are whole), so that its
    /// middleware wraps these routes only: a wrong method on them stays the router's 405.
    func addGeneratedRoutes(to router: Router<ServiceContext>) {
        let routes = router.group()
            .add(middleware: GeneratedRouteAuthentication(users: TokenAuthentication(tokens: repository),
                                                          agents: AgentAuthentication(agents: repository, cache: agentTokens)))
            .add(middleware: GeneratedCallScope())
        do {
            try GeneratedAPI(service: self).registerHandlers(on: routes, serverURL: Self.generatedRoutesURL, configuration: Self.generatedRoutesEncoding)
        } catch {
            // Registering on a router group does not fail (its register throws nothing); were it to, nobody could call these operations,
            // so it is told loudly.
            logger.critical("the operations of the generated server could not be registered; they answer 404", metadata: ["error": "\(error)"])
        }
    }

    /// The generated paths are absolute: they are registered as written.
    static let generatedRoutesURL = URL(string: "/") ?? URL(fileURLWithPath: "/")
    /// As every answer of the API is written (ServiceJSON): sorted keys, plain slashes, ISO 8601 dates (APIDateTranscoder).
    static let generatedRoutesEncoding = OpenAPIRuntime.Configuration(dateTranscoder: APIDateTranscoder(),
                                                                      jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
}

/// The generated operations are registered together, so one middleware authenticates them: an agent's token on the agents'
/// routes (`/api/v1/agent/...`), a personal API token on the rest of `/api/v1`, as on the routes written by hand, and none
/// outside it (health).
struct GeneratedRouteAuthentication: RouterMiddleware {
    typealias Context = ServiceContext
    let users: TokenAuthentication
    let agents: AgentAuthentication

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix("/api/v1/agent/") { return try await agents.handle(request, context: context, next: next) }
        if path.hasPrefix("/api/v1/") { return try await users.handle(request, context: context, next: next) }
        return try await next(request, context)
    }
}
