import Foundation

/// Everything that can go wrong talking to a tenant, with what a person
/// should do about it. Built only from statuses, Qlik's error texts and
/// transport failures: it never holds a header, a token or a secret.
public struct QlikAPIError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case invalidBaseURL
        case transport(TransportFailure)
        case apiKeyRejected
        case oauthClientRejected
        case oauthClientNotAuthorized
        case userDisabled
        case forbidden
        case notFound
        case conflict
        case tooLarge
        case rateLimited(retryAfter: Duration?)
        case serverError
        case badRequest
        case unexpectedResponse
        case engine(code: Int)
    }

    public let kind: Kind
    /// What was being done: `GET /api/v1/users/me`, `OAuth token exchange`.
    public let operation: String
    public let status: Int?
    public let qlik: QlikErrorBody?
    /// What went wrong, in a sentence.
    public let message: String
    /// What to do about it.
    public let hint: String?

    public init(kind: Kind, operation: String, status: Int? = nil, qlik: QlikErrorBody? = nil, message: String, hint: String? = nil) {
        self.kind = kind
        self.operation = operation
        self.status = status
        self.qlik = qlik
        self.message = message
        self.hint = hint
    }

    public var traceID: String? { qlik?.traceId }
    public var code: String? { qlik?.errors.first?.code }

    public var description: String {
        var text = "\(operation): \(message)"
        if let hint { text += " \(hint)" }
        if let traceID { text += " (Qlik trace id \(traceID))" }
        return text
    }

    public static func transport(_ failure: TransportFailure, operation: String) -> QlikAPIError {
        let hint: String? = switch failure {
        case .unknownHost: "Check the Base URL: the tenant name and region (https://<tenant>.<region>.qlikcloud.com) must match the tenant's address in a browser."
        case .connectionRefused, .connectTimeout: "Check that the runtime environment can reach the tenant (firewall, proxy settings HTTPS_PROXY/NO_PROXY)."
        case .tlsHandshake: "If a corporate proxy inspects TLS, give its root certificate with --ca-bundle; otherwise the tenant's certificate is not trusted here."
        case .tlsHostnameMismatch: "The Base URL's host does not match the certificate: check the host name, or whether a proxy answers in its place."
        case .proxy: "Check HTTPS_PROXY (http://host:port, with user:password@ if the proxy asks) and NO_PROXY."
        case .readTimeout, .connectionClosed: "The request may succeed if tried again; if it keeps failing, check the network path to the tenant."
        default: nil
        }
        return QlikAPIError(kind: .transport(failure), operation: operation, message: failure.description.prefix(1).uppercased() + failure.description.dropFirst() + ".", hint: hint)
    }

    /// An HTTP error answer, diagnosed from its status and Qlik's code.
    static func http(status: Int, body: QlikErrorBody?, operation: String, authentication: AuthenticationKind, retryAfter: Duration?) -> QlikAPIError {
        let said = body?.summary.map { "Qlik Cloud answered \(status): \($0)" } ?? "Qlik Cloud answered \(status)."
        let code = body?.errors.first?.code ?? ""
        let detail = (body?.errors.first?.detail ?? "").lowercased()
        switch status {
        case 401 where operation == tokenOperation:
            return QlikAPIError(kind: .oauthClientRejected, operation: operation, status: status, qlik: body, message: said,
                                hint: "The OAuth client was rejected: check the Client ID and Client Secret (a secret is shown only once when the client is created in the Management Console).")
        case 401 where authentication == .apiKey:
            return QlikAPIError(kind: .apiKeyRejected, operation: operation, status: status, qlik: body, message: said,
                                hint: "The API key is expired, revoked, or API keys are disabled on the tenant: create a new key (Profile settings > API keys) and update the connection's Access Token, or ask a tenant admin to enable API keys.")
        case 401:
            return QlikAPIError(kind: .oauthClientRejected, operation: operation, status: status, qlik: body, message: said,
                                hint: "The access token was refused even after a new one was obtained: check that the OAuth client still exists and is allowed to call this tenant.")
        case 403 where code == "OAUTH-3" || detail.contains("machine-to-machine") || code == "unauthorized_client":
            return QlikAPIError(kind: .oauthClientNotAuthorized, operation: operation, status: status, qlik: body, message: said,
                                hint: "Enable the client for machine-to-machine access (client credentials) in the Management Console's OAuth settings.")
        case 403 where detail.contains("disabled") || detail.contains("deleted") || code == "OAUTH-4":
            return QlikAPIError(kind: .userDisabled, operation: operation, status: status, qlik: body, message: said,
                                hint: "The user the credentials act for is disabled: a tenant admin must reactivate the user, or use credentials of an active user.")
        case 403:
            return QlikAPIError(kind: .forbidden, operation: operation, status: status, qlik: body, message: said,
                                hint: "The credentials' user lacks a role or space permission this needs: ask a tenant admin for access.")
        case 404:
            return QlikAPIError(kind: .notFound, operation: operation, status: status, qlik: body, message: said, hint: nil)
        case 409:
            return QlikAPIError(kind: .conflict, operation: operation, status: status, qlik: body, message: said, hint: nil)
        case 413:
            return QlikAPIError(kind: .tooLarge, operation: operation, status: status, qlik: body, message: said,
                                hint: "The file is above the tenant's data file quota.")
        case 429:
            let wait = retryAfter.map { " Qlik asks to wait \(Int($0.timeInterval.rounded(.up))) s before the next request." } ?? ""
            return QlikAPIError(kind: .rateLimited(retryAfter: retryAfter), operation: operation, status: status, qlik: body, message: said + wait,
                                hint: "The credentials' user is over Qlik's rate limit for this kind of request: wait, or spread the work over time.")
        case 500...599:
            return QlikAPIError(kind: .serverError, operation: operation, status: status, qlik: body, message: said,
                                hint: "The tenant or a gateway failed; retries did not help. Try again later, or check Qlik's status page.")
        case 400...499:
            return QlikAPIError(kind: .badRequest, operation: operation, status: status, qlik: body, message: said, hint: nil)
        default:
            return QlikAPIError(kind: .unexpectedResponse, operation: operation, status: status, qlik: body, message: said, hint: nil)
        }
    }

    static let tokenOperation = "OAuth token exchange (POST /oauth/token)"
}

/// Which kind of credential the client sends, for the diagnosis of a 401.
public enum AuthenticationKind: Sendable, Equatable { case apiKey, oauth2 }
