import Foundation
import Connector
public import Hummingbird
import QlikConnections
import Repository
import Secrets
import UseCases

/// Every error the API answers: `{"error":{"code","message","field"}}` with
/// a stable code a script can branch on, a message a person can act on,
/// and the field at fault when there is one. No case carries a secret.
public struct APIError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    public let code: String
    public let message: String
    public let field: String?
    /// Every field problem when several were found at once.
    public let problems: [Problem]
    /// The methods a path takes, for a 405.
    var allowed: [String] = []
    /// What went wrong in the operator's words (it may name paths or addresses on the service's machine): written to
    /// the service's log by ``ErrorMapping``, never answered.
    var detail: String?

    public struct Problem: Codable, Sendable, Equatable {
        public let field: String
        public let message: String
    }

    init(_ status: HTTPResponse.Status, code: String, _ message: String, field: String? = nil, problems: [Problem] = [], detail: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.problems = problems
        self.detail = detail
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    static func unauthenticated(_ message: String) -> APIError { APIError(.unauthorized, code: "unauthenticated", message) }
    static func notFound(_ what: String) -> APIError { APIError(.notFound, code: "not_found", "\(what) does not exist.") }
    static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: "validation_failed", message, field: field, problems: [Problem(field: field, message: message)])
    }

    /// The API's view of an error from below: validation, the repository, sealing.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as ConnectionValidationError:
            let problems = error.problems.map { Problem(field: $0.field.rawValue, message: $0.message + remedy($0.remedy)) }
            return APIError(.unprocessableContent, code: "validation_failed", problems.map(\.message).joined(separator: "\n"),
                            field: problems.first?.field, problems: problems)
        case let error as UserValidationError:
            return .invalid(error.field, error.message)
        case let error as UseCaseError:
            return from(error)
        case let error as RepositoryError:
            switch error {
            case .duplicateName, .lookalikeName: return APIError(.conflict, code: "duplicate_name", error.description, field: "name")
            case .notFound: return APIError(.notFound, code: "not_found", error.description)
            case .runtimeEnvironmentInUse, .cannotDeleteServerless, .secretsManagerInUse:
                return APIError(.conflict, code: "in_use", error.description)
            case .changedMeanwhile, .masterKeyChangedMeanwhile, .secretsManagerChangedMeanwhile:
                return APIError(.conflict, code: "changed_meanwhile", error.description)
            case .corrupt, .storage, .databaseAddress:
                // The reason may name the database's file or address: the operator's to read, in the log.
                return APIError(.internalServerError, code: "storage_failed",
                                "The service's repository could not complete this request; the operator finds why in the service's log.",
                                detail: error.description)
            }
        case let error as CredentialsElsewhere:
            return APIError(.conflict, code: "resolved_on_runtime_environment", error.description)
        case let error as SecretsError:
            return APIError(.internalServerError, code: "sealing_failed", error.userFacingDescription, detail: error.description)
        default:
            return APIError(.internalServerError, code: "internal", "The request failed: \(type(of: error)).", detail: "\(error)")
        }
    }

    /// A use case's refusal: its kind gives the status, its reason the code.
    static func from(_ error: UseCaseError) -> APIError {
        switch error.kind {
        case .invalid: .invalid(error.field ?? "body", error.message)
        case .forbidden: APIError(.forbidden, code: error.reason, error.message)
        case .notFound: APIError(.notFound, code: error.reason, error.message)
        case .conflict: APIError(.conflict, code: error.reason, error.message)
        case .unavailable: APIError(.serviceUnavailable, code: error.reason, error.message)
        case .failed: APIError(.internalServerError, code: error.reason, error.message)
        }
    }

    /// How the API makes a field acceptable, for a problem that names a remedy.
    static func remedy(_ remedy: FieldProblem.Remedy?) -> String {
        switch remedy {
        case .tenantHostAllowList(let pattern)?: " No API request admits such a host: ask the operator of this service to add it to the tenant host "
            + "allow-list ('qlik-connector hosts allow \(pattern)' on the machine that holds the database)."
        case nil: ""
        }
    }

    /// A body that is not the JSON the operation takes, named by where it broke.
    static func decoding(_ error: DecodingError) -> APIError {
        func path(_ context: DecodingError.Context) -> String { context.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context):
            let field = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            return .invalid(field, "'\(field)' is required.")
        case .typeMismatch(let type, let context):
            return .invalid(path(context), "'\(path(context))' has the wrong type; expected \(type).")
        case .valueNotFound(let type, let context):
            return .invalid(path(context), "'\(path(context))' is null; expected \(type).")
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return APIError(.badRequest, code: "malformed_body", "The body is not valid JSON.") }
            // A value outside an enumeration of the document, as Swift's decoder words it ("Cannot initialize T from invalid String value v").
            if let value = context.debugDescription.range(of: "from invalid String value ").map({ context.debugDescription[$0.upperBound...] }) {
                return .invalid(path(context), "'\(path(context))' is '\(value)', which is not one of the values the API document (/openapi.json) lists for it.")
            }
            return .invalid(path(context), "'\(path(context))' is not valid: \(context.debugDescription)")
        @unknown default:
            return APIError(.badRequest, code: "malformed_body", "The body is not the JSON this operation takes.")
        }
    }

    private struct Body: Encodable {
        struct Detail: Encodable {
            let code: String
            let message: String
            let field: String?
            let problems: [Problem]?
        }
        let error: Detail
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = Body(error: .init(code: code, message: message, field: field, problems: problems.count > 1 ? problems : nil))
        var headers: HTTPFields = [.contentType: "application/json"]
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer" }
        if !allowed.isEmpty { headers[.allow] = allowed.joined(separator: ", ") }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try ServiceJSON.encoder.encode(body))))
    }
}
