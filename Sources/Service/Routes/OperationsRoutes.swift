import ConnectorAPI
import Foundation
import Hummingbird

extension ConnectorService {
    /// Unauthenticated: health for load balancers, metrics for Prometheus, the API's description.
    func addOperationsRoutes(to router: Router<ServiceContext>) {
        let repository = self.repository
        let metrics = self.metrics
        router.get("health") { _, _ -> Response in
            // Healthy when the repository answers a read.
            do {
                _ = try await repository.organizations()
                return try ServiceJSON.response(["status": "ok"])
            } catch {
                return try ServiceJSON.response(["status": "unavailable", "reason": "the repository does not answer"], status: .serviceUnavailable)
            }
        }
        router.get("metrics") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("openapi.json") { _, _ -> Response in
            do {
                return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: try OpenAPIDocument.json())))
            } catch {
                // Where it was looked for goes to the operator's log (ErrorMapping), not to the client.
                throw APIError(.serviceUnavailable, code: "document_unavailable",
                               "The API's description is not installed with this service; its operator's log says where it was looked for.",
                               detail: "\(error)")
            }
        }
    }
}
