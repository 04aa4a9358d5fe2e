import AsyncHTTPClient
import Foundation
import QlikConnections
import Testing
@testable import Secrets

/// moto's server, started by the test command (scripts/moto), as AWS Secrets Manager.
enum Moto {
    struct Missing: Error, CustomStringConvertible {
        var description: String { "QLIK_CONNECTOR_TEST_MOTO is not set: these tests need the moto server scripts/test starts; run 'bash scripts/test'." }
    }

    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_MOTO"], !url.isEmpty else { throw Missing() }
        return url
    }

    static var python: String {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_MOTO_PYTHON"] ?? repository.appendingPathComponent(".venv-moto/bin/python").path
    }

    /// Creates or replaces a secret in moto with boto3, as an administrator would with the AWS console.
    static func put(_ name: String, _ value: String) async throws {
        let script = """
            import boto3, sys
            client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="testing", aws_secret_access_key="testing")
            try:
                client.put_secret_value(SecretId=sys.argv[2], SecretString=sys.argv[3])
            except client.exceptions.ResourceNotFoundException:
                client.create_secret(Name=sys.argv[2], SecretString=sys.argv[3])
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, try url(), name, value]
        try process.run()
        // Waited for off the cooperative pool.
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
        guard status == 0 else { throw Missing() }
    }
}

@Suite("Secret references resolved from AWS Secrets Manager (moto)")
struct AWSSecretsManagerTests {
    let credentials: @Sendable () -> SigV4.Credentials? = { SigV4.Credentials(accessKeyID: "testing", secretAccessKey: "testing") }

    @Test("a key of a JSON secret, a rotation after the cache's time, and errors that name the reference and never the value")
    func resolves() async throws {
        let manager = SecretReferenceResolver.Manager(region: "us-east-1", endpoint: try Moto.url())
        let name = "qc/test-\(UUID().uuidString.prefix(8))"
        let planted = "planted-\(UUID().uuidString)"
        try await Moto.put(name, #"{"apiKey": "\#(planted)", "other": "x"}"#)
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let resolver = SecretReferenceResolver(client: client, timeToLive: 1, credentials: credentials)
            let reference = try SecretReference("\(name):apiKey", for: .awsSecretsManager, field: .accessToken)
            #expect(try await resolver.resolve(reference, in: manager).reveal() == planted)
            // Rotated: the cached value serves until the cache's time is up, then the new one.
            try await Moto.put(name, #"{"apiKey": "rotated-\#(planted)"}"#)
            #expect(try await resolver.resolve(reference, in: manager).reveal() == planted)
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await resolver.resolve(reference, in: manager).reveal() == "rotated-\(planted)")
            for (raw, expected) in [("\(name):missingKey", "has no text key 'missingKey'"), ("qc/absent:apiKey", "does not exist")] {
                let missing = try SecretReference(raw, for: .awsSecretsManager, field: .accessToken)
                do {
                    _ = try await resolver.resolve(missing, in: manager)
                    Issue.record("\(raw) resolved")
                } catch {
                    let message = "\(error)"
                    #expect(message.contains(expected) && message.contains(raw.split(separator: ":")[0]) && !message.contains(planted), "\(message)")
                }
            }
            let unsigned = SecretReferenceResolver(client: client, credentials: { nil })
            await #expect(throws: SecretResolutionError.self) { _ = try await unsigned.resolve(reference, in: manager) }
            try await client.shutdown()
        } catch {
            try await client.shutdown()
            throw error
        }
    }
}
