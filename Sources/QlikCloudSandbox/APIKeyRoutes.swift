import Foundation
import Hummingbird

/// `/api/v1/api-keys`: list, create (the token is in that answer only), revoke, describe, and the tenant's key settings.
/// Administrators see and revoke every key; other users only their own.
struct APIKeyRoutes {
    let tenant: Tenant
    let base: BaseURL

    private struct NewKey: Decodable {
        let description: String?
        let expiry: String?
        let sub: String?
        let subType: String?
    }

    private struct Patch: Decodable {
        let op: String
        let path: String
        let value: JSONScalar
    }

    /// A lifetime setting's text, once it is an ISO 8601 duration longer than zero (none could be created under a zero maximum).
    private static func lifetime(_ text: String, at path: String) throws(QlikErrorResponse) -> String {
        let seconds: TimeInterval
        do { seconds = try ISODuration.seconds(text) } catch { throw .badRequest("\(path): \(error)") }
        guard seconds > 0 else { throw .badRequest("\(path) must be a length of time longer than zero, such as P30D; got '\(text)'.") }
        return text
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("api-keys") { request, context in
            let user = try context.requireUser()
            let query = request.uri.queryParameters
            var keys = await tenant.apiKeysByCreation
            let now = tenant.clock()
            if let subject = query["sub"].map(String.init) {
                guard user.isTenantAdmin || subject == user.id else { throw QlikErrorResponse.forbidden("Listing other users' API keys needs the TenantAdmin role.") }
                keys = keys.filter { $0.userID == subject }
            } else if !user.isTenantAdmin {
                keys = keys.filter { $0.userID == user.id }
            }
            if let creator = query["createdByUser"].map(String.init) { keys = keys.filter { ($0.createdByUserID ?? $0.userID) == creator } }
            if let status = query["status"].map(String.init) {
                guard ["active", "expired", "revoked"].contains(status) else { throw QlikErrorResponse.badRequest("status must be active, expired or revoked; got '\(status)'.") }
                keys = keys.filter { APIKeyView.status($0, now: now) == status }
            }
            if let sort = query["sort"].map(String.init) { keys = try Self.sorted(keys, by: sort, now: now) }
            let limit = try Self.limit(query["limit"])
            // Qlik pages API keys by id: startingAfter / endingBefore name the key a page starts after or ends before.
            var window = ArraySlice(keys)
            if let after = query["startingAfter"].map(String.init) {
                guard let index = keys.firstIndex(where: { $0.id == after }) else { throw QlikErrorResponse.badRequest("startingAfter names no API key: \(after).") }
                window = keys[(index + 1)...].prefix(limit)
            } else if let before = query["endingBefore"].map(String.init) {
                guard let index = keys.firstIndex(where: { $0.id == before }) else { throw QlikErrorResponse.badRequest("endingBefore names no API key: \(before).") }
                window = keys[..<index].suffix(limit)
            } else {
                window = window.prefix(limit)
            }
            let next = window.last.flatMap { last in last.id == keys.last?.id ? nil : last.id }
            let prev = window.first.flatMap { first in first.id == keys.first?.id ? nil : first.id }
            let links = Self.links(request, base: base, next: next, prev: prev)
            return try JSONResponse.make(APIKeyView.Page(data: window.map { APIKeyView($0, tenantID: tenant.tenantID, now: now) }, links: links))
        }
        group.post("api-keys") { request, context in
            let user = try context.requireUser()
            let body = try await JSONResponse.decode(NewKey.self, from: request)
            guard let description = body.description, !description.isEmpty else { throw QlikErrorResponse.badRequest("description is required.") }
            if let type = body.subType, type != "user" {
                throw QlikErrorResponse.badRequest("subType \(type) is not available in the sandbox (it has no SCIM identity provider); use user.")
            }
            let subject = body.sub ?? user.id
            guard subject == user.id || user.isTenantAdmin else { throw QlikErrorResponse.forbidden("Creating API keys for other users needs the TenantAdmin role.") }
            guard let owner = await tenant.users[subject] else { throw QlikErrorResponse.badRequest("sub names no user of this tenant: \(subject).") }
            guard owner.isTenantAdmin || (owner.roles ?? []).contains("Developer") else {
                throw QlikErrorResponse.forbidden("API keys are for users with the Developer role; \(owner.name) does not have it.")
            }
            let lifetime = try body.expiry.map { text throws(QlikErrorResponse) in
                let seconds: TimeInterval
                do { seconds = try ISODuration.seconds(text) } catch { throw QlikErrorResponse.badRequest("expiry: \(error)") }
                guard seconds > 0 else { throw QlikErrorResponse.badRequest("expiry must be a length of time longer than zero, such as P7D; got '\(text)'.") }
                return seconds
            }
            let key = try await tenant.createAPIKey(for: subject, description: description, lifetime: lifetime, createdBy: user.id)
            await tenant.recordAudit("com.qlik.v1.api-key.created", source: "com.qlik/api-keys", userID: user.id,
                                     data: ["id": key.id, "sub": subject, "description": description])
            return try JSONResponse.make(APIKeyView.WithToken(key, tenantID: tenant.tenantID, now: tenant.clock()), status: .created)
        }
        group.get("api-keys/configs/:tenantId") { _, context in
            let id = try context.parameters.require("tenantId")
            guard id == tenant.tenantID else { throw QlikErrorResponse.notFound("No tenant with id \(id); this tenant is \(tenant.tenantID).") }
            _ = try context.requireAdmin("Reading the API-key settings")
            return try JSONResponse.make(APIKeyView.Config(await tenant.apiKeyConfig))
        }
        group.patch("api-keys/configs/:tenantId") { request, context in
            let id = try context.parameters.require("tenantId")
            guard id == tenant.tenantID else { throw QlikErrorResponse.notFound("No tenant with id \(id); this tenant is \(tenant.tenantID).") }
            _ = try context.requireAdmin("Changing the API-key settings")
            var config = await tenant.apiKeyConfig
            for patch in try await JSONResponse.decode([Patch].self, from: request) {
                guard patch.op == "replace" else { throw QlikErrorResponse.badRequest("op must be replace; got '\(patch.op)'.") }
                switch (patch.path, patch.value) {
                case ("/max_api_key_expiry", .string(let text)): config.maxAPIKeyExpiry = try Self.lifetime(text, at: patch.path)
                case ("/scim_externalClient_expiry", .string(let text)): config.scimExternalClientExpiry = try Self.lifetime(text, at: patch.path)
                // Int(exactly:) rather than Int(): a number beyond Int's range would trap the server.
                case ("/max_keys_per_user", .number(let count)) where Int(exactly: count).map({ $0 >= 1 }) == true: config.maxKeysPerUser = Int(count)
                default:
                    throw QlikErrorResponse.badRequest("Cannot set \(patch.path) to that value: /max_api_key_expiry and /scim_externalClient_expiry take ISO 8601 durations (P30D), /max_keys_per_user a whole number of at least 1.")
                }
            }
            await tenant.setAPIKeyConfig(config)
            return Response(status: .noContent)
        }
        group.get("api-keys/:id") { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            guard let key = await tenant.apiKey(id: id), key.userID == user.id || user.isTenantAdmin else {
                throw QlikErrorResponse.notFound("No API key with id \(id).")
            }
            return try JSONResponse.make(APIKeyView(key, tenantID: tenant.tenantID, now: tenant.clock()))
        }
        group.patch("api-keys/:id") { request, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            guard let key = await tenant.apiKey(id: id), key.userID == user.id || user.isTenantAdmin else {
                throw QlikErrorResponse.notFound("No API key with id \(id).")
            }
            for patch in try await JSONResponse.decode([Patch].self, from: request) {
                guard patch.op == "replace", patch.path == "/description", case .string(let text) = patch.value else {
                    throw QlikErrorResponse.badRequest("Only {\"op\": \"replace\", \"path\": \"/description\", \"value\": \"<text>\"} changes an API key.")
                }
                _ = await tenant.describeAPIKey(id: key.id, description: text)
            }
            return Response(status: .noContent)
        }
        group.delete("api-keys/:id") { _, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("id")
            guard let key = await tenant.apiKey(id: id) else { throw QlikErrorResponse.notFound("No API key with id \(id).") }
            guard key.userID == user.id || user.isTenantAdmin else { throw QlikErrorResponse.forbidden("Revoking other users' API keys needs the TenantAdmin role.") }
            _ = await tenant.revokeAPIKey(id: id)
            await tenant.recordAudit("com.qlik.v1.api-key.revoked", source: "com.qlik/api-keys", userID: user.id, data: ["id": id, "sub": key.userID])
            return Response(status: .noContent)
        }
    }

    static func limit(_ raw: Substring?) throws(QlikErrorResponse) -> Int {
        guard let raw else { return 20 }
        guard let value = Int(String(raw)), (1...Paging.maximumLimit).contains(value) else {
            throw .badRequest("limit must be a whole number from 1 to \(Paging.maximumLimit); got '\(raw)'.")
        }
        return value
    }

    private static func sorted(_ keys: [APIKey], by sort: String, now: Date) throws(QlikErrorResponse) -> [APIKey] {
        let descending = sort.hasPrefix("-")
        let field = sort.hasPrefix("-") || sort.hasPrefix("+") ? String(sort.dropFirst()) : sort
        let key: (APIKey) -> String
        switch field {
        case "createdByUser": key = { $0.createdByUserID ?? $0.userID }
        case "sub": key = \.userID
        case "status": key = { APIKeyView.status($0, now: now) }
        case "description": key = { $0.description ?? "" }
        // ISO 8601 UTC timestamps sort as their times do.
        case "created": key = { JSONResponse.timestamp($0.createdAt ?? .distantPast) }
        default: throw .badRequest("sort must be one of createdByUser, sub, status, description, created, with + or -; got '\(sort)'.")
        }
        let ordered = keys.enumerated().sorted { left, right in
            let (a, b) = (key(left.element), key(right.element))
            return a == b ? left.offset < right.offset : (a < b) != descending
        }
        return ordered.map(\.element)
    }

    private static func links(_ request: Request, base: BaseURL, next: String?, prev: String?) -> PageLinks {
        let origin = base.origin(of: request)
        let kept = request.uri.queryParameters.filter { $0.key != "startingAfter" && $0.key != "endingBefore" }.map { "\($0.key)=\(Query.escape(String($0.value)))" }
        func url(_ extra: String) -> String { origin + request.uri.path + "?" + (kept + [extra]).joined(separator: "&") }
        return PageLinks(self: Link(href: origin + request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")),
                         next: next.map { Link(href: url("startingAfter=\($0)")) }, prev: prev.map { Link(href: url("endingBefore=\($0)")) })
    }
}

/// A JSON value a patch sets: text, number or boolean.
enum JSONScalar: Decodable, Sendable {
    case string(String), number(Double), bool(Bool)

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Each attempt asks whether the value is of that JSON type; a value of none of them fails in the last.
        if let text = try? container.decode(String.self) { self = .string(text) }
        else if let flag = try? container.decode(Bool.self) { self = .bool(flag) }
        else { self = .number(try container.decode(Double.self)) }
    }
}

/// Query values written back into `links`, percent-encoded.
enum Query {
    static func escape(_ value: String) -> String {
        var allowed = CharacterSet.urlQueryAllowed
        allowed.remove(charactersIn: "&=+#")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
