import Foundation

/// When a request is tried again: 429 after the wait Qlik asks for; 502, 503,
/// 504 and dropped connections with exponential backoff and jitter, only for
/// idempotent requests; bounded in attempts and in total waiting time.
public struct RetryPolicy: Sendable {
    public var maximumAttempts: Int
    public var baseDelay: Duration
    public var maximumDelay: Duration
    /// The most time spent waiting between attempts, in all.
    public var maximumTotalWait: Duration
    /// Sleeps between attempts; tests record the waits instead of sleeping.
    public var sleep: @Sendable (Duration) async throws -> Void

    public init(maximumAttempts: Int = 5, baseDelay: Duration = .milliseconds(250), maximumDelay: Duration = .seconds(8),
                maximumTotalWait: Duration = .seconds(60), sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }) {
        self.maximumAttempts = max(1, maximumAttempts)
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.maximumTotalWait = maximumTotalWait
        self.sleep = sleep
    }

    public static let standard = RetryPolicy()
    /// One attempt: for diagnosis, where the first failure is the answer.
    public static let none = RetryPolicy(maximumAttempts: 1)

    static let retriedStatuses: Set<Int> = [502, 503, 504]

    /// Runs `attempt` until it gives an answer worth returning; an answer with
    /// an error status is returned for the caller to decode once retries are spent.
    func run(operation: String, idempotent: Bool,
             _ attempt: @Sendable () async throws(TransportFailure) -> TransportResponse) async throws(QlikAPIError) -> TransportResponse {
        var waited = Duration.zero
        var number = 0
        while true {
            number += 1
            let wait: Duration
            do {
                let response = try await attempt()
                if response.status == 429 {
                    // Not processed, so safe to repeat whatever the method.
                    wait = Self.retryAfter(response) ?? delay(after: number)
                } else if Self.retriedStatuses.contains(response.status), idempotent {
                    wait = delay(after: number)
                } else {
                    return response
                }
                guard number < maximumAttempts, waited + wait <= maximumTotalWait else { return response }
            } catch {
                guard idempotent, error.isTransient, number < maximumAttempts else { throw QlikAPIError.transport(error, operation: operation) }
                wait = delay(after: number)
                guard waited + wait <= maximumTotalWait else { throw QlikAPIError.transport(error, operation: operation) }
            }
            waited += wait
            do { try await sleep(wait) } catch {
                throw QlikAPIError(kind: .transport(.other("cancelled")), operation: operation, message: "The request was cancelled while waiting to retry.")
            }
        }
    }

    /// Exponential backoff with equal jitter: half fixed, half random, so waits spread without collapsing to zero.
    func delay(after attempt: Int) -> Duration {
        let exponential = baseDelay * (1 << min(attempt - 1, 20))
        let capped = min(exponential, maximumDelay)
        let half = capped / 2
        return half + half * Double.random(in: 0...1)
    }

    /// `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ response: TransportResponse) -> Duration? {
        guard let value = response.header("Retry-After")?.trimmingCharacters(in: .whitespaces) else { return nil }
        if let seconds = Double(value), seconds >= 0 { return .milliseconds(Int64(seconds * 1000)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return .milliseconds(Int64(max(0, date.timeIntervalSinceNow) * 1000))
    }
}
