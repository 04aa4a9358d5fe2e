import Foundation
public import QlikCloudAPI
public import QlikConnections

/// The `--config` file Airbyte passes: a stored connection's name, or the
/// connection's own fields (secrets marked `airbyte_secret` in the spec, so
/// Airbyte keeps them in its secrets store). `organization` names a stored
/// organization: the stored connection's. An inline `base_url` outside Qlik
/// Cloud (a sandbox) is admitted only by the operator's tenant host allow-list.
public struct AirbyteConfig: Sendable {
    public enum Credentials: Sendable {
        case storedConnection(String)
        case inline(InlineConnection)
    }

    /// A connection given field by field; its Base URL is checked once the organization it names is read.
    public struct InlineConnection: Sendable {
        public let baseURL: String
        public let authentication: ResolvedAuthentication

        /// Whether the Base URL is a Qlik Cloud tenant's, which needs no allow-list (nor a repository to read one from).
        public var isQlikCloudTenant: Bool { (try? TenantURL(baseURL, policy: .qlikCloudOnly)) != nil }

        /// The Base URL: a Qlik Cloud tenant's, or a host the operator's allow-list admits.
        public func tenant(admittedBy hosts: TenantHostPolicy) throws(ConnectorError) -> TenantURL {
            let strict: ConnectionValidationError
            do {
                return try TenantURL(baseURL, policy: .qlikCloudOnly)
            } catch {
                strict = error
            }
            let custom: TenantURL
            do {
                custom = try TenantURL(baseURL, policy: .anyWellFormedHost)
            } catch {
                // Refused in either form: the reason given is the one to fix.
                throw ConnectorError.badInput("base_url: \(strict)")
            }
            do {
                try hosts.checkTenant(custom)
            } catch {
                throw ConnectorError.badInput("base_url: \(error)")
            }
            return custom
        }
    }

    public let credentials: Credentials
    /// The stored organization the config names (`organization`); nil: the command's own choice (`--org`, or the only one).
    public let organization: String?
    /// Source: apps whose tables become streams (patterns); all when empty.
    public let apps: [String]
    /// Source: selections made before each stream is read, so a stream holds only the rows associated with them; none: whole tables.
    public let selections: [FieldSelection]
    /// Destination: the data files' format, and apps to reload after a sync.
    public let dataFileFormat: String
    public let reloadApps: [String]

    public static func load(path: String) throws(ConnectorError) -> AirbyteConfig {
        guard let data = FileManager.default.contents(atPath: path),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw ConnectorError.badInput("The config \(path) cannot be read as a JSON object.")
        }
        let apps = object["apps"] as? [String] ?? []
        let format = (object["data_file_format"] as? String ?? "qvd").lowercased()
        guard ["qvd", "csv"].contains(format) else { throw ConnectorError.badInput("data_file_format is '\(format)'; expected qvd or csv.") }
        let reload = object["reload_apps"] as? [String] ?? []
        let selections = try Self.selections(object["selections"])
        if object["allow_custom_host"] != nil {
            throw ConnectorError.badInput("allow_custom_host is not read any more: a base_url outside Qlik Cloud is admitted only by the operator's "
                + "tenant host allow-list ('qlik-connector hosts allow HOST:PORT'); remove it from the config.")
        }
        let organization: String?
        switch object["organization"] {
        case nil: organization = nil
        case let name as String where !name.isEmpty: organization = name
        default: throw ConnectorError.badInput("organization is not a stored organization's name (a non-empty string).")
        }
        if let name = object["connection"] as? String {
            return AirbyteConfig(credentials: .storedConnection(name), organization: organization, apps: apps, selections: selections, dataFileFormat: format,
                                 reloadApps: reload)
        }
        guard let base = object["base_url"] as? String else {
            throw ConnectorError.badInput("The config needs either 'connection' (a stored connection's name) or 'base_url' with credentials.")
        }
        let authentication: ResolvedAuthentication
        switch object["auth_type"] as? String ?? "api_key" {
        case "api_key":
            guard let key = (object["api_key"] as? String).flatMap(Secret.init) else { throw ConnectorError.badInput("api_key is required for auth_type api_key.") }
            authentication = .apiKey(key)
        case "oauth2":
            guard let id = (object["client_id"] as? String).flatMap(Secret.init), let secret = (object["client_secret"] as? String).flatMap(Secret.init) else {
                throw ConnectorError.badInput("client_id and client_secret are required for auth_type oauth2.")
            }
            authentication = .oauth2(clientID: id, clientSecret: secret)
        case let other:
            throw ConnectorError.badInput("auth_type is '\(other)'; expected api_key or oauth2.")
        }
        let inline = InlineConnection(baseURL: base, authentication: authentication)
        // A Qlik Cloud Base URL is checked here already; another one against the operator's allow-list once the repository is open.
        if inline.isQlikCloudTenant { _ = try inline.tenant(admittedBy: .qlikCloudOnly) }
        return AirbyteConfig(credentials: .inline(inline), organization: organization, apps: apps, selections: selections, dataFileFormat: format,
                                 reloadApps: reload)
    }

    /// `selections`: `[{"field": "Region", "values": ["EMEA", "APAC"]}]`, each field once.
    static func selections(_ value: Any?) throws(ConnectorError) -> [FieldSelection] {
        guard let value else { return [] }
        let expected = #"expected [{"field": "Region", "values": ["EMEA", "APAC"]}]"#
        guard let entries = value as? [[String: Any]] else { throw ConnectorError.badInput("selections is not a list of selections; \(expected).") }
        var selections: [FieldSelection] = []
        for (index, entry) in entries.enumerated() {
            guard let field = entry["field"] as? String, let values = entry["values"] as? [String] else {
                throw ConnectorError.badInput("selections[\(index)] needs 'field' (a text) and 'values' (a list of texts); \(expected).")
            }
            do {
                selections.append(try FieldSelection(field: field, values: values))
            } catch {
                throw ConnectorError.badInput("selections[\(index)]: \(error)")
            }
            if selections.dropLast().contains(where: { $0.field == field }) {
                throw ConnectorError.badInput("selections select in '\(field)' more than once; give all its values in one selection.")
            }
        }
        return selections
    }

    /// The connection specification Airbyte shows as the connector's form.
    public static func specification(destination: Bool) -> [String: Any] {
        var properties: [String: Any] = [
            "connection": ["type": "string", "title": "Stored connection", "description": "The name of a connection defined with qlik-connector (instead of the fields below).", "order": 0],
            "organization": ["type": "string", "minLength": 1, "title": "Organization",
                             "description": "A stored organization: the stored connection's.",
                             "order": 1],
            "base_url": ["type": "string", "title": "Base URL",
                         "description": "https://<your-tenant-id>.<region>.qlikcloud.com; another host (http://, a port) only when the operator's tenant host allow-list admits it (qlik-connector hosts allow HOST:PORT).",
                         "pattern": "^https?://", "order": 2],
            "auth_type": ["type": "string", "title": "Authentication type", "enum": ["api_key", "oauth2"], "default": "api_key", "order": 3],
            "api_key": ["type": "string", "title": "Access Token", "airbyte_secret": true, "order": 4],
            "client_id": ["type": "string", "title": "Client ID", "airbyte_secret": true, "order": 5],
            "client_secret": ["type": "string", "title": "Client Secret", "airbyte_secret": true, "order": 6],
        ]
        if destination {
            properties["data_file_format"] = ["type": "string", "title": "Data file format", "enum": ["qvd", "csv"], "default": "qvd", "order": 7]
            properties["reload_apps"] = ["type": "array", "items": ["type": "string"], "title": "Apps to reload after a sync", "order": 8]
        } else {
            properties["apps"] = ["type": "array", "items": ["type": "string"], "title": "Apps (name patterns; all when empty)", "order": 7]
            properties["selections"] = [
                "type": "array", "title": "Selections (every stream holds only the rows associated with them)", "order": 8,
                "description": "Made in each app before each of its tables is read; each narrows the others, as selections do in Qlik. "
                    + "Texts match texts exactly, numbers match numbers. A field or value the app does not hold stops the read, naming the nearest ones.",
                "items": ["type": "object", "required": ["field", "values"], "additionalProperties": false, "properties": [
                    "field": ["type": "string", "minLength": 1, "title": "Field"],
                    "values": ["type": "array", "minItems": 1, "items": ["type": "string"], "title": "Values"],
                ]],
            ]
        }
        var spec: [String: Any] = [
            "documentationUrl": "https://github.com/qlik-connector/qlik-connector#the-airbyte-protocol",
            "connectionSpecification": ["$schema": "http://json-schema.org/draft-07/schema#", "title": destination ? "Qlik Cloud Destination" : "Qlik Cloud Source",
                                        "type": "object", "additionalProperties": true, "properties": properties],
            "supportsIncremental": false,
        ]
        if destination { spec["supported_destination_sync_modes"] = ["overwrite"] }
        return spec
    }
}
