import ConnectorAPI
import Foundation
import QlikConnections
import Secrets

// The agent's values to and from the shapes generated from openapi.yaml (ConnectorAPI/Generated), which the agent's calls
// to the service send and receive (AgentTaskSource).

extension AgentAssignment {
    /// The task the service handed out, as the agent's worker reads it (``claimed(resolver:store:)``).
    init(_ answer: Components.Schemas.AgentAssignment) {
        taskID = answer.taskID
        organizationID = answer.organizationID
        runtimeEnvironmentID = answer.runtimeEnvironmentID
        kind = answer.kind.rawValue
        payload = answer.payload
        attempts = answer.attempts
        maxAttempts = answer.maxAttempts
        requestedBy = answer.requestedBy
        connectionID = answer.connectionID
        connectionName = answer.connectionName
        connection = answer.connection.map(Connection.init)
        leaseSeconds = answer.leaseSeconds
        leaseToken = answer.leaseToken
    }
}

extension AgentAssignment.Connection {
    init(_ answer: Components.Schemas.AgentAssignmentConnection) {
        self.init(baseURL: answer.baseURL, authenticationType: answer.authenticationType, values: answer.values.additionalProperties,
                  references: answer.references.additionalProperties, local: answer.local,
                  secretsManager: answer.secretsManager.map(SecretReferenceResolver.Manager.init), unavailable: answer.unavailable,
                  allowedHosts: answer.allowedHosts)
    }
}

extension SecretReferenceResolver.Manager {
    /// A Vault when the service names its address, else AWS Secrets Manager in its region.
    init(_ answer: Components.Schemas.AgentSecretsManager) {
        let kept = answer.credentials
        if let vaultAddress = answer.vaultAddress {
            let credentials = kept.flatMap { kept in
                kept.vaultRoleID.flatMap { id in kept.vaultSecretID.map { SecretReferenceResolver.Credentials(vaultRoleID: id, secretID: $0) } }
            }
            self.init(vaultAddress: vaultAddress, credentials: credentials, allowedHosts: answer.allowedHosts ?? [])
        } else {
            let credentials = kept.flatMap { kept in
                kept.awsAccessKeyID.flatMap { id in kept.awsSecretAccessKey.map { SecretReferenceResolver.Credentials(aws: id, secretAccessKey: $0) } }
            }
            self.init(region: answer.region, endpoint: answer.endpoint, credentials: credentials, allowedHosts: answer.allowedHosts ?? [])
        }
    }
}

extension Components.Schemas.AgentTaskOutcome {
    /// How the task ended, with the log lines not sent yet (left out when there are none).
    init(_ outcome: TaskOutcome, logs: [TaskLogLine]) {
        self.init(succeeded: outcome.succeeded, result: outcome.result.map { String(decoding: $0, as: UTF8.self) }, error: outcome.error,
                  logs: logs.isEmpty ? nil : logs.map(Components.Schemas.TaskLogLine.init))
    }
}

extension Components.Schemas.TaskLogLine {
    init(_ line: TaskLogLine) {
        self.init(at: line.at, level: line.level, message: line.message)
    }
}
