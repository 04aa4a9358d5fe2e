import Foundation
import Hummingbird
import Logging

/// A loopback HTTP listener that answers every request 404 and keeps what it was sent (Authorization header and body):
/// the "other host" a Base URL is moved to, to show which credentials reach it.
actor RecordingListener {
    struct Heard: Sendable {
        let path: String
        let authorization: String?
        let body: String
    }

    private(set) var heard: [Heard] = []

    func record(_ request: Heard) { heard.append(request) }

    /// Every value a request carried, for "was this secret sent?" checks.
    func everything() -> String {
        heard.map { "\($0.path) \($0.authorization ?? "") \($0.body)" }.joined(separator: "\n")
    }

    private struct Recorder: RouterMiddleware {
        typealias Context = BasicRequestContext
        let listener: RecordingListener

        func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
            let body = try await request.body.collect(upTo: 1 << 20)
            await listener.record(Heard(path: request.uri.path, authorization: request.headers[.authorization], body: String(buffer: body)))
            return Response(status: .notFound)
        }
    }

    /// Listens on a free loopback port for the length of `body`, which gets the listener and its base URL.
    static func withRunning<T: Sendable>(_ body: @escaping @Sendable (RecordingListener, String) async throws -> T) async throws -> T {
        let listener = RecordingListener()
        let router = Router()
        router.add(middleware: Recorder(listener: listener))
        let (ports, bound) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "recording-listener")
        logger.logLevel = .critical
        let app = Application(router: router, configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in bound.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.runService(gracefulShutdownSignals: [])
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next(), port != 0 else {
                group.cancelAll()
                throw ListenerError(message: "The recording listener did not bind a loopback port.")
            }
            do {
                let result = try await body(listener, "http://127.0.0.1:\(port)")
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    struct ListenerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
