import Hummingbird
import Prometheus

/// The service's Prometheus metrics, in a registry of its own (no global
/// bootstrap, so several services can run in one process, as tests do).
/// Labels are the route pattern, never the path: names and ids stay out.
public final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let buckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
                                       .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]

    public init() {}

    func record(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(name: "qlik_connector_http_requests_total", labels: labels,
                             help: "HTTP requests answered, by method, route pattern and status.").increment()
        registry.makeDurationHistogram(name: "qlik_connector_http_request_duration_seconds", labels: [("method", method), ("route", route)],
                                       buckets: buckets, help: "Time to answer, by method and route pattern.").record(duration)
    }

    func connectionTested(succeeded: Bool) {
        registry.makeCounter(name: "qlik_connector_connection_tests_total", labels: [("result", succeeded ? "passed" : "failed")],
                             help: "Test Connection runs, by result.").increment()
    }

    /// The text exposition format.
    func exposition() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}

/// Counts and times every request under its route pattern.
struct MetricsRecording: RouterMiddleware {
    typealias Context = ServiceContext
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: ServiceContext, next: (Request, ServiceContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            metrics.record(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: response.status.code,
                           duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.record(method: request.method.rawValue, route: context.endpointPath ?? "unmatched", status: status,
                           duration: ContinuousClock.now - start)
            throw error
        }
    }
}
