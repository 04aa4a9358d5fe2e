import Foundation
import TestProcesses

/// A throwaway certificate and key made by openssl, for a sandbox served over TLS.
public enum SelfSignedCertificate {
    /// Writes `cert.pem` and `key.pem` into `directory`; returns their paths (certificate, key).
    public static func make(in directory: String, subject: String = "/CN=QlikConnector Test CA",
                            names: String = "subjectAltName=IP:127.0.0.1,DNS:localhost") throws -> (String, String) {
        let certificate = directory + "/cert.pem", key = directory + "/key.pem"
        let made = try ChildProcess.runWaiting("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", subject, "-addext", names, "-keyout", key, "-out", certificate])
        guard made.status == 0 else { throw TestFailure("openssl could not make a certificate (exit \(made.status)); is /usr/bin/openssl working?") }
        return (certificate, key)
    }
}
