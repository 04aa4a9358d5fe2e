import Foundation
import Hummingbird
import QlikConnections

/// A form a console page posts (`application/x-www-form-urlencoded`), read by Hummingbird's URLEncodedFormDecoder. Every
/// field is optional: a missing one is refused by the check that needs it, in that check's words.
protocol ConsoleForm: Decodable {}

/// A form that carries the session's CSRF token back (every form of a signed-in page).
protocol CSRFCheckedForm: ConsoleForm {
    var csrf: String? { get }
}

extension ConsoleForm {
    /// At most 1 MiB: the console's largest form (a connection with its secrets) is a few kilobytes.
    static var largestBody: Int { 1 << 20 }

    /// The posted form; a body that is not one (a field sent twice, brackets, bad percent-encoding) is a 400 saying which.
    static func read(_ request: Request) async throws -> Self {
        let body = try await request.body.collect(upTo: largestBody)
        do {
            return try URLEncodedFormDecoder().decode(Self.self, from: String(buffer: body))
        } catch let error as URLEncodedFormError {
            throw FormRefusal.answer(to: error)
        } catch let error as DecodingError {
            throw FormRefusal.answer(to: error)
        }
    }
}

/// Why a posted body is not a console form, worded for the person or script that sent it. Field values are never
/// repeated (one may be a password); field names are, shortened.
enum FormRefusal {
    static let expected = "the console's forms send each field once, as name=value percent-encoded (application/x-www-form-urlencoded), as a browser does"

    static func answer(to error: URLEncodedFormError) -> APIError {
        let field = shown(error.value)
        let problem = switch error.code {
        case .duplicateKeys: "The form sends the field '\(field)' more than once"
        case .failedToPercentDecode: "A field of the form is not valid percent-encoding (a '%' must be followed by two hexadecimal digits)"
        case .corruptKeyValue: "The form's field name '\(field)' has an unmatched '[' or ']'"
        default: "The form sends '\(field)' as a list or with brackets ([...])"
        }
        return APIError(.badRequest, code: "malformed_form", "\(problem); \(expected).")
    }

    static func answer(to error: DecodingError) -> APIError {
        let path: [any CodingKey] = switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context): context.codingPath
        case .keyNotFound(let key, let context): context.codingPath + [key]
        @unknown default: []
        }
        // Hummingbird's decoder leaves the path empty for a field read as a single value, so the field is named when it can be.
        let which = path.first.map { "The form's field '\(shown($0.stringValue))'" } ?? "A field of the form"
        return APIError(.badRequest, code: "malformed_form", "\(which) came as a list or with brackets (name[]= or name[key]=), not as plain text; \(expected).")
    }

    private static func shown(_ name: String) -> String { name.count > 60 ? String(name.prefix(60)) + "…" : name }
}

/// The sign-in page's form; its CSRF token is checked against the sign-in cookie (``SignInToken``), as there is no session yet.
struct SignInForm: ConsoleForm {
    var csrf: String?
    var organization: String?
    var email: String?
    var password: String?
}

/// The setup link's form: the link's own secret stands for the CSRF token.
struct SetupForm: ConsoleForm {
    var token: String?
    var organization: String?
    var email: String?
    var displayName: String?
    var password: String?
    var confirmation: String?
}

/// A button's form (sign out, Test Connection, delete): only the CSRF token.
struct ButtonForm: CSRFCheckedForm {
    var csrf: String?
}

/// The New connection and Edit pages' form. A secret comes as its value or, when the organization has a secrets manager,
/// as a reference to it (`<field>Reference`).
struct ConnectionForm: CSRFCheckedForm {
    var csrf: String?
    var name: String?
    var description: String?
    var runtimeEnvironment: String?
    var useSecretVault: String?
    var authenticationType: String?
    var baseURL: String?
    var accessToken: String?
    var accessTokenReference: String?
    var clientID: String?
    var clientIDReference: String?
    var clientSecret: String?
    var clientSecretReference: String?

    /// What was typed for a credential field, each nil when missing or blank.
    func credential(_ field: ConnectionField) -> (value: String?, reference: String?) {
        let (value, reference): (String?, String?) = switch field {
        case .accessToken: (accessToken, accessTokenReference)
        case .clientID: (clientID, clientIDReference)
        case .clientSecret: (clientSecret, clientSecretReference)
        default: (nil, nil)
        }
        return (Self.filled(value), Self.filled(reference))
    }

    /// What the form shows again after a refusal: every field but the secrets and the token.
    var echoed: [String: String] {
        let fields: [(String, String?)] = [("name", name), ("description", description), ("runtimeEnvironment", runtimeEnvironment),
                                           ("useSecretVault", useSecretVault), ("authenticationType", authenticationType), ("baseURL", baseURL),
                                           ("accessTokenReference", accessTokenReference), ("clientIDReference", clientIDReference),
                                           ("clientSecretReference", clientSecretReference)]
        return Dictionary(uniqueKeysWithValues: fields.compactMap { name, value in value.map { (name, $0) } })
    }

    private static func filled(_ value: String?) -> String? {
        guard let value, !value.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return value
    }
}
