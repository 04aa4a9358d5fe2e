public import Foundation

/// What Test Connection found, step by step, in the order it checked.
/// Holds names, times and Qlik's messages: never a credential.
public struct ConnectionTestReport: Codable, Sendable, Equatable {
    public enum Verdict: String, Codable, Sendable { case passed, failed, skipped }

    public struct Step: Codable, Sendable, Equatable {
        public let name: String
        public let verdict: Verdict
        public let milliseconds: Int
        /// What was seen: the addresses, the certificate's issuer, the identity, Qlik's words.
        public let detail: String
        /// What to do, when the step failed.
        public let hint: String?
    }

    /// Who the credentials act for, from `GET /api/v1/users/me`.
    public struct Identity: Codable, Sendable, Equatable {
        public let userID: String
        public let name: String?
        public let email: String?
        public let tenantID: String
        public let status: String?
        public let roles: [String]
    }

    public let startedAt: Date
    public let baseURL: String
    public let authentication: String
    public let steps: [Step]
    public let identity: Identity?
    public let milliseconds: Int

    public var succeeded: Bool { steps.allSatisfy { $0.verdict != .failed } }
    public var failedStep: Step? { steps.first { $0.verdict == .failed } }

    /// One line: the verdict, or the failing step and why.
    public var summary: String {
        if let failed = failedStep { return "Failed at \(failed.name): \(failed.detail)" }
        let who = identity.map { " as \($0.name ?? $0.userID)" } ?? ""
        return "Passed \(steps.filter { $0.verdict == .passed }.count) checks in \(milliseconds) ms\(who)."
    }

    private enum CodingKeys: String, CodingKey {
        case startedAt, baseURL, authentication, steps, identity, milliseconds
    }

    /// Written beside the stored fields so a reader of the JSON needs no rules to know the verdict; not read back.
    private enum VerdictKeys: String, CodingKey { case succeeded, summary }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(baseURL, forKey: .baseURL)
        try container.encode(authentication, forKey: .authentication)
        try container.encode(steps, forKey: .steps)
        try container.encodeIfPresent(identity, forKey: .identity)
        try container.encode(milliseconds, forKey: .milliseconds)
        var verdict = encoder.container(keyedBy: VerdictKeys.self)
        try verdict.encode(succeeded, forKey: .succeeded)
        try verdict.encode(summary, forKey: .summary)
    }
}
