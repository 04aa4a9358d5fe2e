import ConnectorAPI
import Foundation
import Hummingbird
import OpenAPIRuntime
import QlikConnections

/// Around each operation served by the generated server (``GeneratedAPI``), after ``GeneratedRouteAuthentication``: binds
/// the caller (the agent on `/api/v1/agent/...`, the user elsewhere) for the handler, which gets no request context; refuses
/// an agent's task call without a Lease-Token before the generated code would (it would say only that a header is missing);
/// reads the body to at most 1 MiB, as JSON whatever its Content-Type, as every route of the API does; and turns what the
/// generated code throws back into the API's errors.
struct GeneratedCallScope: RouterMiddleware {
    typealias Context = ServiceContext

    @TaskLocal static var agent: Agent?
    @TaskLocal static var principal: Principal?

    /// The agent calling the operation being served.
    static func callingAgent() throws -> Agent {
        guard let agent else { throw APIError.unauthenticated("This route is for Secure Agents.") }
        return agent
    }

    /// The user calling the operation being served.
    static func callingUser() throws -> Principal {
        guard let principal else { throw APIError.unauthenticated("Send 'Authorization: Bearer <personal API token>'.") }
        return principal
    }

    static let claimWithoutLeaseToken = APIError(
        .badRequest, code: "agent_upgrade_required",
        "This agent predates per-claim leases: its claim does not say sendsLeaseToken, so it would not send the lease token back "
            + "on renew, logs and finish. No task was handed out; upgrade the agent to the service's version.", field: "sendsLeaseToken")

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        if context.agent != nil, context.parameters.get("id") != nil { _ = try ConnectorService.lease(request, context) }
        let body = try await request.body.collect(upTo: 1 << 20)
        // Every route of the API reads its body as JSON and answers JSON whatever Content-Type and Accept say; the generated
        // code would refuse another type (415, 406), so the request says JSON to it.
        var head = request.head
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.accept] = nil
        let request = Request(head: head, body: RequestBody(buffer: body))
        var response: Response
        do {
            response = try await Self.$agent.withValue(context.agent) {
                try await Self.$principal.withValue(context.principal) { try await next(request, context) }
            }
        } catch let error as ServerError {
            throw Self.apiError(error, query: request.uri.queryParameters)
        }
        // As every other answer of the API says it (the generated code adds the charset).
        if response.headers[.contentType] == "application/json; charset=utf-8" { response.headers[.contentType] = "application/json" }
        // The generated code writes a header as a URI component (a Location's slashes as %2F); decoding once gives back the handler's value.
        if let location = response.headers[.location] { response.headers[.location] = location.removingPercentEncoding ?? location }
        return response
    }

    /// A query item that is not the whole number the document says, named as the routes written by hand name it. The generated
    /// decoder's error has no coding path for a query item, so the item is found by its text: the one that is not a number.
    static func queryItemRefused(_ error: DecodingError, in query: Parameters) -> APIError? {
        guard case .typeMismatch(let type, let context) = error, context.codingPath.isEmpty, type is any BinaryInteger.Type else { return nil }
        guard let (name, value) = query.first(where: { Int(String($0.value)) == nil }) else { return nil }
        return APIError.invalid(String(name), "\(name) is '\(value)'; expected one whole number.")
    }

    /// What the generated server threw, as the API answers it.
    static func apiError(_ error: ServerError, query: Parameters = [:]) -> any Error {
        // Thrown by the handler (it has its input): an APIError, or a repository's error the service maps as on every route.
        if error.operationInput != nil { return error.underlyingError }
        if let decoding = error.underlyingError as? DecodingError {
            // An older agent's claim leaves out sendsLeaseToken: it is told to upgrade, as it was before the document required it.
            if error.operationID == Operations.AgentClaim.id, case .keyNotFound(let key, _) = decoding, key.stringValue == "sendsLeaseToken" {
                return claimWithoutLeaseToken
            }
            if let named = queryItemRefused(decoding, in: query) { return named }
            return APIError.decoding(decoding)
        }
        // The request is not one the operation reads (no body, a content type that is not JSON): the status the generated code chose.
        return APIError(error.httpStatus, code: "malformed_body", "The request is not what this operation takes: \(error.causeDescription).")
    }
}
