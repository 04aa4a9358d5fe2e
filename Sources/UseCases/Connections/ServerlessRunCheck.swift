public import QlikConnections
public import Repository

/// Whether this process can run a connection's task on the serverless
/// environment, where the task runs inside it: sealed values need its master
/// keys, and credentials kept on Secure Agents never reach it. Checked before
/// a task is queued, so the caller hears why at once instead of from a failed task.
public enum ServerlessRunCheck {
    /// Refuses `connection` when it runs on the serverless environment and its credentials cannot be opened here.
    public static func check(_ connection: StoredConnection, in environments: [RuntimeEnvironment], keys: SealingKeys) throws(UseCaseError) {
        guard environments.first(where: { $0.id == connection.runtimeEnvironmentID })?.kind == .serverless else { return }
        for (field, credential) in connection.authentication.credentials {
            switch credential {
            case .value: if keys.live == nil { throw SealingKeys.noKeyring }
            case .secretReference: continue
            case .onAgent:
                throw .conflict("resolved_on_runtime_environment",
                                "'\(connection.name)' keeps its \(field.label) on Secure Agents; move it to a Secure Agent group to run it.")
            }
        }
    }
}
