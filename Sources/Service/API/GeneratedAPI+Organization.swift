import ConnectorAPI
import Foundation
import QlikConnections
import Secrets
import UseCases

/// The caller's organization: everyone reads it; administrators change its secrets manager (and the letter case of its name).
extension GeneratedAPI {
    func getOrganization(_ input: Operations.GetOrganization.Input) async throws -> Operations.GetOrganization.Output {
        let id = try GeneratedCallScope.callingUser().organizationID
        let organization = try await service.repository.organization(id)
        let kept = Array(try await service.repository.secretsManagerCredentials(of: id).keys)
        return .ok(.init(body: .json(.init(organization, managerCredentials: kept))))
    }

    func updateOrganization(_ input: Operations.UpdateOrganization.Input) async throws -> Operations.UpdateOrganization.Output {
        let principal = try GeneratedCallScope.callingUser()
        try principal.require(.admin)
        let change = switch input.body { case .json(let body): body }
        let organization = try await service.repository.organization(principal.organizationID)
        var asked = OrganizationChange()
        if let name = change.name {
            let name = try OrganizationName(name)
            // The name is the operator's handle for the organization (the CLI's --org), unique in the service: a rename
            // here would answer "taken" for another organization's name. A change of letter case only is no rename.
            guard name.comparisonKey == organization.name.comparisonKey else {
                throw APIError(.forbidden, code: "name_set_by_operator",
                               "An organization's name is set by the service's operator, as it names the organization for the whole service; "
                                   + "ask them to run: qlik-connector org set --org '\(organization.name)' --name '\(name.value)'.",
                               field: "name")
            }
            asked.name = name
        }
        if change.allowCustomTenantHosts != nil {
            throw APIError(.unprocessableContent, code: "tenant_hosts_set_by_operator",
                           "allowCustomTenantHosts is no longer an organization setting: hosts outside Qlik Cloud are admitted only by the operator "
                               + "of this service, on its tenant host allow-list ('qlik-connector hosts allow HOST:PORT' on the machine that holds "
                               + "the database). Leave the field out.", field: "allowCustomTenantHosts")
        }
        if let manager = change.secretsManager { asked.secretsManager = .some(try Self.settings(manager)) }
        asked.managerCredentials = try change.secretsManagerCredentials.map { given in
            var named = given.additionalProperties
            named["awsAccessKeyID"] = given.awsAccessKeyID
            named["awsSecretAccessKey"] = given.awsSecretAccessKey
            named["vaultRoleID"] = given.vaultRoleID
            named["vaultSecretID"] = given.vaultSecretID
            return try Self.managerCredentials(named)
        }
        let changed = try await OrganizationSettings(repository: service.repository, keys: SealingKeys(service.keys))
            .change(organization, asked, by: service.actor(principal))
        return .ok(.init(body: .json(.init(changed.organization, managerCredentials: changed.managerCredentials))))
    }

    /// The settings asked for (nil: `kind` none removes the manager), refused in the API's words: the field as `secretsManager.<field>`.
    static func settings(_ change: Components.Schemas.SecretsManagerChange) throws -> SecretsManagerSettings? {
        let kind = change.kind.rawValue
        do {
            return try SecretsManagerChoice(kind: kind, region: change.region, endpoint: change.endpoint, address: change.address,
                                            mount: change.mount).settings()
        } catch let refusal as SecretsManagerChoice.Refusal {
            switch refusal {
            case .stray(let stray, let belongs):
                throw APIError.invalid("secretsManager.\(stray.rawValue)", "secretsManager.\(stray.rawValue) does not go with kind '\(kind)', which takes "
                    + (belongs.isEmpty ? "nothing else." : belongs.map(\.rawValue).joined(separator: " and ") + "."))
            case .missing(.region): throw APIError.invalid("secretsManager.region", "An AWS secrets manager needs region, such as eu-west-1.")
            case .missing(let field):
                throw APIError.invalid("secretsManager.\(field.rawValue)", "A Vault needs \(field.rawValue), such as https://vault.example.com:8200.")
            case .unknownKind: throw APIError.invalid("secretsManager.kind", "kind is '\(kind)'; expected none, aws or vault.")
            }
        }
    }

    /// The secrets manager credentials of a request, by field; a name that is no such field, or an empty value, is refused.
    static func managerCredentials(_ given: [String: String]) throws -> [SecretsManagerField: Secret] {
        var values: [SecretsManagerField: Secret] = [:]
        for (name, value) in given {
            guard let field = SecretsManagerField(rawValue: name) else {
                throw APIError.invalid("secretsManagerCredentials.\(name)",
                                       "'\(name)' is not a secrets manager credential; expected \(SecretsManagerField.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            guard let secret = Secret(value) else { throw APIError.invalid("secretsManagerCredentials.\(name)", "\(field.label) is empty.") }
            values[field] = secret
        }
        return values
    }
}
