import ConnectorAPI

/// Unauthenticated operations for whoever runs the service.
extension GeneratedAPI {
    /// Healthy when the repository answers a read.
    func health(_ input: Operations.Health.Input) async throws -> Operations.Health.Output {
        do {
            _ = try await service.repository.organizations()
            return .ok(.init(body: .json(.init(status: .ok))))
        } catch {
            return .serviceUnavailable(.init(body: .json(.init(status: .unavailable, reason: "the repository does not answer"))))
        }
    }
}
