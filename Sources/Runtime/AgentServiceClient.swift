import AsyncHTTPClient
import ConnectorAPI
import Foundation
import HTTPTypes
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import OpenAPIRuntime

/// The client generated from openapi.yaml for the service's agent routes, as a Secure Agent calls them: with its token,
/// redirects never followed (the caller's HTTPClient), each call given 30 seconds.
enum AgentServiceClient {
    /// For the calls made while the agent runs: cancelling the agent cuts them short.
    static func make(_ client: HTTPClient, service: URL, token: String) -> ConnectorAPI.Client {
        over(WholeBodyTransport(client: client, timeout: timeout), service: service, token: token)
    }

    /// For the sign-off, sent once the agent was cancelled: through HTTPClient's event-loop futures, which that cancellation
    /// does not cut short as it would an async request.
    static func signingOff(_ client: HTTPClient, service: URL, token: String) -> ConnectorAPI.Client {
        over(UncancelledTransport(client: client, timeout: .seconds(5)), service: service, token: token)
    }

    static func over(_ transport: any ClientTransport, service: URL, token: String) -> ConnectorAPI.Client {
        ConnectorAPI.Client(serverURL: serverURL(service), configuration: configuration, transport: transport, middlewares: [BearerToken(token: token)])
    }

    static let timeout: TimeAmount = .seconds(30)
    /// Compact JSON, keys in one order, dates as the service writes them (APIDateTranscoder).
    static let configuration = Configuration(dateTranscoder: APIDateTranscoder(), jsonEncodingOptions: [.sortedKeys])

    /// The generated paths start with "/": a service address written with a trailing slash would double it.
    static func serverURL(_ service: URL) -> URL {
        var text = service.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text) ?? service
    }

    /// Adds the agent's token to each call; nothing prints it (a ClientError keeps the request as it was before this ran).
    struct BearerToken: ClientMiddleware {
        let token: String

        func intercept(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String,
                       next: @Sendable (HTTPRequest, HTTPBody?, URL) async throws -> (HTTPResponse, HTTPBody?)) async throws -> (HTTPResponse, HTTPBody?) {
            var request = request
            request.headerFields[.authorization] = "Bearer \(token)"
            return try await next(request, body, baseURL)
        }
    }

    /// Sends each call with its body whole and reads the answer whole. The agent's bodies are small: swift-openapi's
    /// AsyncHTTPClient transport streamed both through async sequences, which a profile of a busy queue (scripts/bench-tasks)
    /// showed costing each agent more than the JSON did.
    struct WholeBodyTransport: ClientTransport {
        let client: HTTPClient
        let timeout: TimeAmount

        func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
            var sent = HTTPClientRequest(url: baseURL.absoluteString + (request.path ?? ""))
            sent.method = HTTPMethod(rawValue: request.method.rawValue)
            sent.headers = AgentServiceClient.headers(request.headerFields)
            if let body { sent.body = .bytes(ByteBuffer(data: try await Data(collecting: body, upTo: maximumBody))) }
            let answer = try await client.execute(sent, timeout: timeout)
            let bytes = try await answer.body.collect(upTo: maximumBody)
            return (HTTPResponse(status: .init(code: Int(answer.status.code)), headerFields: AgentServiceClient.fields(answer.headers)),
                    HTTPBody(Data(buffer: bytes)))
        }
    }

    /// Sends a call as an event-loop future and waits for it, so that a cancelled task still gets its answer.
    struct UncancelledTransport: ClientTransport {
        let client: HTTPClient
        let timeout: TimeAmount

        func send(_ request: HTTPRequest, body: HTTPBody?, baseURL: URL, operationID: String) async throws -> (HTTPResponse, HTTPBody?) {
            var payload: HTTPClient.Body?
            if let body { payload = .data(try await Data(collecting: body, upTo: maximumBody)) }
            let sent = try HTTPClient.Request(url: baseURL.absoluteString + (request.path ?? ""), method: HTTPMethod(rawValue: request.method.rawValue),
                                              headers: AgentServiceClient.headers(request.headerFields), body: payload)
            let answer = try await client.execute(request: sent, deadline: .now() + timeout).get()
            return (HTTPResponse(status: .init(code: Int(answer.status.code)), headerFields: AgentServiceClient.fields(answer.headers)),
                    answer.body.map { HTTPBody(Data(buffer: $0)) })
        }
    }

    /// The largest body sent or read (a claim's answer is a few KiB; a task's log lines are sent in batches).
    static let maximumBody = 16 << 20

    static func headers(_ fields: HTTPFields) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for field in fields { headers.add(name: field.name.canonicalName, value: field.value) }
        return headers
    }

    static func fields(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for header in headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        return fields
    }
}
