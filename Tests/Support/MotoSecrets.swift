import Foundation
import TestProcesses

/// moto's server, started by the test command (scripts/moto), as AWS Secrets Manager;
/// secrets are put into it with boto3 from moto's virtualenv, as an administrator would.
public enum MotoSecrets {
    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    public static func endpoint() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_MOTO"], !url.isEmpty else {
            throw Missing(description: "QLIK_CONNECTOR_TEST_MOTO is not set: these tests need the moto server scripts/test starts; run 'bash scripts/test'.")
        }
        return url
    }

    /// Creates the secret, or gives it a new value (a rotation).
    public static func put(_ name: String, _ value: String) async throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let python = ProcessInfo.processInfo.environment["QLIK_CONNECTOR_TEST_MOTO_PYTHON"] ?? repository.appendingPathComponent(".venv-moto/bin/python").path
        let script = """
            import boto3, sys
            client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=sys.argv[1], aws_access_key_id="testing", aws_secret_access_key="testing")
            try:
                client.put_secret_value(SecretId=sys.argv[2], SecretString=sys.argv[3])
            except client.exceptions.ResourceNotFoundException:
                client.create_secret(Name=sys.argv[2], SecretString=sys.argv[3])
            """
        let status = try await ChildProcess.run(python, ["-c", script, try endpoint(), name, value]).status
        guard status == 0 else { throw Missing(description: "boto3 (\(python)) could not put secret '\(name)' into moto.") }
    }
}
