import ConnectorAPI
import Foundation
import Hummingbird

extension ConnectorService {
    /// Unauthenticated: metrics for Prometheus, the API's description (health is served by the generated server).
    func addOperationsRoutes(to router: Router<ServiceContext>) {
        let metrics = self.metrics
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
