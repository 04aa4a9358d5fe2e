import ConnectorAPI
import Foundation
import QlikConnections
import Repository
import UseCases

/// Who am I, my personal API tokens, and the organization's audit trail.
extension GeneratedAPI {
    func me(_ input: Operations.Me.Input) async throws -> Operations.Me.Output {
        .ok(.init(body: .json(.init(try GeneratedCallScope.callingUser().user))))
    }

    func listTokens(_ input: Operations.ListTokens.Input) async throws -> Operations.ListTokens.Output {
        let principal = try GeneratedCallScope.callingUser()
        return .ok(.init(body: .json(try await service.repository.accessTokens(of: principal.user.id).map { Components.Schemas.AccessToken($0) })))
    }

    func createToken(_ input: Operations.CreateToken.Input) async throws -> Operations.CreateToken.Output {
        let principal = try GeneratedCallScope.callingUser()
        let asked = switch input.body { case .json(let body): body }
        let (token, secret) = try await AccessTokenIssuer.issue(for: principal.user, name: asked.name, expiresInDays: asked.expiresInDays,
                                                                in: service.repository, by: service.actor(principal))
        return .created(.init(body: .json(.init(token, secret: secret))))
    }

    func revokeToken(_ input: Operations.RevokeToken.Input) async throws -> Operations.RevokeToken.Output {
        let principal = try GeneratedCallScope.callingUser()
        let token = try await service.repository.revokeAccessToken(try Self.tokenID(input.path.id), of: principal.user.id, at: Date(),
                                                                   by: service.actor(principal))
        return .ok(.init(body: .json(.init(token))))
    }

    /// The newest events first, `limit` of them (1 to 1000, default 100).
    func auditEvents(_ input: Operations.AuditEvents.Input) async throws -> Operations.AuditEvents.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let limit = input.query.limit ?? 100
        guard (1...1000).contains(limit) else { throw APIError.invalid("limit", "limit is \(limit); expected 1 to 1000.") }
        let events = try await service.repository.auditEvents(of: principal.organizationID, limit: limit)
        return .ok(.init(body: .json(events.map {
            Components.Schemas.AuditEvent(sequence: Int($0.sequence), at: $0.at, actor: $0.actor, action: $0.action, targetKind: $0.targetKind,
                                          targetID: $0.targetID, targetName: $0.targetName)
        })))
    }
}
