import Foundation
import Hummingbird
import QlikCloudSandbox
import QlikConnections
import Repository
import Testing
import TestRepositories
@testable import Service

@Suite("Hosts outside Qlik Cloud are the operator's to admit: the API cannot widen the list, and every request is checked at use time")
struct ServiceTenantHostTests {
    static let loopback = "127.0.0.1:*"

    @Test("an organization administrator cannot turn custom hosts on through the API: the old field is refused with who admits hosts now, and no route changes the list",
          arguments: RepositoryBackend.allCases)
    func adminCannotWiden(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        _ = try await harness.repository.removeTenantHost(try HostPattern(Self.loopback), by: AuditActor("operator"))
        try await harness.withClient { api in
            let admin = harness.token("admin")
            for value in [true, false] {
                let refused = try await api.call(.patch, "/api/v1/organization", token: admin, json: ["allowCustomTenantHosts": value])
                #expect(refused.status == .unprocessableContent && refused.errorCode == "tenant_hosts_set_by_operator"
                    && refused.errorField == "allowCustomTenantHosts" && refused.text.contains("qlik-connector hosts allow"), "\(refused.text)")
            }
            #expect(try await api.call(.get, "/api/v1/organization", token: admin).object["allowCustomTenantHosts"] == nil)
            for method in [HTTPRequest.Method.post, .put, .patch] {
                #expect(try await api.call(method, "/api/v1/tenant-hosts", token: admin, json: ["pattern": Self.loopback]).status.code >= 400)
            }
            #expect(try await harness.repository.tenantHostPatterns().isEmpty)
            let body: [String: Any] = ["name": "Local", "runtimeEnvironment": "Serverless", "authenticationType": "api-key",
                                       "baseURL": "http://127.0.0.1:9090", "accessToken": "a-token"]
            let still = try await api.call(.post, "/api/v1/connections", token: admin, json: body)
            #expect(still.status == .unprocessableContent && still.errorField == "baseURL"
                && still.text.contains("admitted only by the operator") && still.text.contains("qlik-connector hosts allow 127.0.0.1:9090"), "\(still.text)")
        }
    }

    @Test("169.254.169.254, 127.0.0.1:22, [::1] and 2130706433 are refused as Base URLs without an entry; a link-local or metadata one even with entries",
          arguments: RepositoryBackend.allCases)
    func refusedBaseURLs(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let operatorActor = AuditActor("operator")
        _ = try await harness.repository.removeTenantHost(try HostPattern(Self.loopback), by: operatorActor)
        try await harness.withClient { api in
            let designer = harness.token("designer")
            func create(_ name: String, _ baseURL: String) async throws -> APIClient.Answer {
                try await api.call(.post, "/api/v1/connections", token: designer, json: [
                    "name": name, "runtimeEnvironment": "Serverless", "authenticationType": "api-key", "baseURL": baseURL, "accessToken": "a-token"])
            }
            let attacks = ["http://169.254.169.254", "http://127.0.0.1:22", "http://[::1]:8080", "http://2130706433:8080", "http://0x7f.1:8080",
                           "http://metadata.google.internal", "http://[fd00:ec2::254]"]
            for (index, raw) in attacks.enumerated() {
                let refused = try await create("Attack \(index)", raw)
                #expect(refused.status == .unprocessableContent && refused.errorField == "baseURL", "\(raw): \(refused.text)")
            }
            _ = try await harness.repository.allowTenantHost(try HostPattern(Self.loopback), by: operatorActor)
            _ = try await harness.repository.allowTenantHost(try HostPattern("*.google.internal"), by: operatorActor)
            for raw in ["http://169.254.169.254", "http://2852039166", "http://metadata.google.internal", "http://[fd00:ec2::254]"] {
                let refused = try await create("Never", raw)
                #expect(refused.status == .unprocessableContent && refused.text.contains("never") && !refused.text.contains("hosts allow"), "\(raw): \(refused.text)")
            }
            #expect(try await create("Listed", "http://2130706433:22").status == .created, "listed: the integer spelling of a listed address")
            #expect(try await create("IPv6 loopback", "http://[::1]:8080").status == .unprocessableContent, "[::1] is not 127.0.0.1's entry")
        }
    }

    @Test("a host taken off the list stops working for an existing connection at use time: Test Connection fails naming the host and the entry, and the host hears nothing",
          arguments: RepositoryBackend.allCases)
    func removedAtUseTime(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let sandbox = await QlikCloudSandbox.make(configuration: SandboxConfiguration(port: 0))
        try await sandbox.withRunning { tenant in
            try await RecordingListener.withRunning { listener, listenerURL in
                try await harness.withClient { api in
                    let designer = harness.token("designer")
                    for (name, baseURL) in [("Sandbox", tenant.baseURL), ("Listener", listenerURL)] {
                        #expect(try await api.call(.post, "/api/v1/connections", token: designer, json: [
                            "name": name, "runtimeEnvironment": "Serverless", "authenticationType": "api-key", "baseURL": baseURL,
                            "accessToken": name == "Sandbox" ? tenant.apiKey : "planted-listener-token"]).status == .created)
                    }
                    #expect(try await api.call(.post, "/api/v1/connections/Sandbox/test", token: designer).object["succeeded"] as? Bool == true)
                    #expect(try await harness.repository.removeTenantHost(try HostPattern(Self.loopback), by: AuditActor("operator")))
                    for (path, baseURL) in [("Sandbox", tenant.baseURL), ("Listener", listenerURL)] {
                        let report = try await api.call(.post, "/api/v1/connections/\(path)/test", token: designer)
                        #expect(report.object["succeeded"] as? Bool == false, "\(report.text)")
                        let failed = (report.object["steps"] as? [[String: Any]])?.first { $0["verdict"] as? String == "failed" }
                        let port = try #require(baseURL.split(separator: ":").last)
                        #expect(failed?["name"] as? String == "Base URL"
                            && (failed?["detail"] as? String)?.contains("does not admit 127.0.0.1:\(port)") == true
                            && (failed?["hint"] as? String)?.contains("qlik-connector hosts allow '127.0.0.1:\(port)'") == true, "\(report.text)")
                    }
                    let heard = await listener.everything()
                    #expect(heard.isEmpty, "the removed host heard nothing: \(heard)")
                }
            }
        }
    }

    @Test("a Vault on loopback over http is refused without an entry, a metadata one always; removed from the list, a serverless Test Connection sends it no AppRole",
          arguments: RepositoryBackend.allCases)
    func vaultAddress(_ backend: RepositoryBackend) async throws {
        let harness = try await ServiceHarness.make(backend)
        let operatorActor = AuditActor("operator")
        try await RecordingListener.withRunning { listener, vaultURL in
            try await harness.withClient { api in
                let admin = harness.token("admin")
                func setVault(_ address: String) async throws -> APIClient.Answer {
                    try await api.call(.patch, "/api/v1/organization", token: admin, json: [
                        "secretsManager": ["kind": "vault", "address": address],
                        "secretsManagerCredentials": ["vaultRoleID": "role-1", "vaultSecretID": "planted-secret-id"]])
                }
                _ = try await harness.repository.removeTenantHost(try HostPattern(Self.loopback), by: operatorActor)
                for address in ["http://127.0.0.1:47001", vaultURL] {
                    let refused = try await setVault(address)
                    #expect(refused.status == .unprocessableContent && refused.errorField == "secretsManager"
                        && refused.text.contains("uses http://") && refused.text.contains("qlik-connector hosts allow"), "\(refused.text)")
                }
                _ = try await harness.repository.allowTenantHost(try HostPattern(Self.loopback), by: operatorActor)
                for address in ["http://169.254.169.254", "https://169.254.169.254", "https://metadata.google.internal:443"] {
                    let refused = try await setVault(address)
                    #expect(refused.status == .unprocessableContent && refused.text.contains("never"), "\(address): \(refused.text)")
                }
                #expect(try await setVault(vaultURL).status == .ok, "listed by the operator: a local Vault for tests")
                #expect(try await api.call(.post, "/api/v1/connections", token: admin, json: [
                    "name": "Vaulted", "runtimeEnvironment": "Serverless", "authenticationType": "api-key", "useSecretVault": true,
                    "baseURL": "https://acme.eu.qlikcloud.com", "accessTokenReference": "secret/data/qlik/prod:token"]).status == .created)
                // The operator takes loopback off the list: the stored address is refused when the task runs, before any login.
                _ = try await harness.repository.removeTenantHost(try HostPattern(Self.loopback), by: operatorActor)
                let answer = try await api.call(.post, "/api/v1/connections/Vaulted/test", token: admin)
                #expect(answer.text.contains("Nothing was sent") && answer.text.contains("uses http://"), "\(answer.text)")
                let heard = await listener.everything()
                #expect(heard.isEmpty && !heard.contains("planted-secret-id"), "the loopback Vault received nothing: \(heard)")
            }
        }
    }
}
