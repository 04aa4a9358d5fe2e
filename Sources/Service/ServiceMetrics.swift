import Hummingbird
import Prometheus
import Synchronization

/// The service's Prometheus metrics, in a registry of its own (no global
/// bootstrap, so several services can run in one process, as tests do).
/// Labels are the route pattern, never the path: names and ids stay out.
public final class ServiceMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let buckets: [Duration] = [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(20),
                                       .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]

    public init() {}

    // Descriptors are not Sendable: made when used (a few fields), not stored.
    private static var requests: MetricNameDescriptor { MetricNameDescriptor(namespace: "qlik_connector", subsystem: "http", metricName: "requests", unitName: "total",
                                                       helpText: "HTTP requests answered, by method, route pattern and status.") }
    private static var durations: MetricNameDescriptor { MetricNameDescriptor(namespace: "qlik_connector", subsystem: "http", metricName: "request_duration", unitName: "seconds",
                                                        helpText: "Time to answer, by method and route pattern.") }
    private static var tests: MetricNameDescriptor { MetricNameDescriptor(namespace: "qlik_connector", subsystem: "connection", metricName: "tests", unitName: "total",
                                                    helpText: "Test Connection runs, by result.") }

    private struct Series: Hashable {
        let method: String
        let route: String
        let status: Int
    }

    /// The series already made, so a request finds its own without the registry's label lookup.
    private let series = Mutex<[Series: (Counter, DurationHistogram)]>([:])

    func record(method: String, route: String, status: Int, duration: Duration) {
        let key = Series(method: method, route: route, status: status)
        let (counter, histogram) = series.withLock { known in
            if let found = known[key] { return found }
            let made = (registry.makeCounter(descriptor: Self.requests, labels: [("method", method), ("route", route), ("status", String(status))]),
                        registry.makeDurationHistogram(descriptor: Self.durations, labels: [("method", method), ("route", route)], buckets: buckets))
            known[key] = made
            return made
        }
        counter.increment()
        histogram.record(duration)
    }

    func connectionTested(succeeded: Bool) {
        registry.makeCounter(descriptor: Self.tests, labels: [("result", succeeded ? "passed" : "failed")]).increment()
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
