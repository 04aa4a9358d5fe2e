import Foundation
public import QlikCloudAPI
public import QlikConnections

/// The `--config` file Airbyte passes: a stored connection's name, or the
/// connection's own fields (secrets marked `airbyte_secret` in the spec, so
/// Airbyte keeps them in its secrets store).
public struct AirbyteConfig: Sendable {
    public enum Credentials: Sendable {
        case storedConnection(String)
        case inline(TenantURL, ResolvedAuthentication)
    }

    public let credentials: Credentials
    /// Source: apps whose tables become streams (patterns); all when empty.
    public let apps: [String]
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
        if let name = object["connection"] as? String {
            return AirbyteConfig(credentials: .storedConnection(name), apps: apps, dataFileFormat: format, reloadApps: reload)
        }
        guard let base = object["base_url"] as? String else {
            throw ConnectorError.badInput("The config needs either 'connection' (a stored connection's name) or 'base_url' with credentials.")
        }
        let url: TenantURL
        do {
            url = try TenantURL(base, policy: (object["allow_custom_host"] as? Bool ?? false) ? .allowCustomHosts : .qlikCloudOnly)
        } catch {
            throw ConnectorError.badInput("base_url: \(error)")
        }
        switch object["auth_type"] as? String ?? "api_key" {
        case "api_key":
            guard let key = (object["api_key"] as? String).flatMap(Secret.init) else { throw ConnectorError.badInput("api_key is required for auth_type api_key.") }
            return AirbyteConfig(credentials: .inline(url, .apiKey(key)), apps: apps, dataFileFormat: format, reloadApps: reload)
        case "oauth2":
            guard let id = (object["client_id"] as? String).flatMap(Secret.init), let secret = (object["client_secret"] as? String).flatMap(Secret.init) else {
                throw ConnectorError.badInput("client_id and client_secret are required for auth_type oauth2.")
            }
            return AirbyteConfig(credentials: .inline(url, .oauth2(clientID: id, clientSecret: secret)), apps: apps, dataFileFormat: format, reloadApps: reload)
        case let other:
            throw ConnectorError.badInput("auth_type is '\(other)'; expected api_key or oauth2.")
        }
    }

    /// The connection specification Airbyte shows as the connector's form.
    public static func specification(destination: Bool) -> [String: Any] {
        var properties: [String: Any] = [
            "connection": ["type": "string", "title": "Stored connection", "description": "The name of a connection defined with qlik-connector (instead of the fields below).", "order": 0],
            "base_url": ["type": "string", "title": "Base URL", "description": "https://<your-tenant-id>.<region>.qlikcloud.com", "pattern": "^https?://", "order": 1],
            "auth_type": ["type": "string", "title": "Authentication type", "enum": ["api_key", "oauth2"], "default": "api_key", "order": 2],
            "api_key": ["type": "string", "title": "Access Token", "airbyte_secret": true, "order": 3],
            "client_id": ["type": "string", "title": "Client ID", "airbyte_secret": true, "order": 4],
            "client_secret": ["type": "string", "title": "Client Secret", "airbyte_secret": true, "order": 5],
        ]
        if destination {
            properties["data_file_format"] = ["type": "string", "title": "Data file format", "enum": ["qvd", "csv"], "default": "qvd", "order": 6]
            properties["reload_apps"] = ["type": "array", "items": ["type": "string"], "title": "Apps to reload after a sync", "order": 7]
        } else {
            properties["apps"] = ["type": "array", "items": ["type": "string"], "title": "Apps (name patterns; all when empty)", "order": 6]
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
