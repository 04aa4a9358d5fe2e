/// The name of a runtime environment: a Secure Agent group or the serverless one.
public struct RuntimeEnvironmentName: Hashable, Sendable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws(ConnectionValidationError) {
        switch NameRules.validate(raw) {
        case .success(let name): value = name
        case .failure(let problem):
            throw ConnectionValidationError(.runtimeEnvironment, problem.message(for: "Runtime Environment name"))
        }
    }

    /// The name every organization's serverless environment carries.
    public static let serverless = RuntimeEnvironmentName(trusted: "Serverless")

    private init(trusted: String) { value = trusted }

    public var comparisonKey: String { NameRules.comparisonKey(value) }
    public var description: String { value }
}
