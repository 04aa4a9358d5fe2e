import Foundation
import Testing
@testable import Secrets

@Suite("AWS Signature Version 4")
struct SigV4Tests {
    @Test("AWS's published example (GET Object with a Range header) signs to its published signature")
    func publishedExample() throws {
        let signer = SigV4(credentials: .init(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                           region: "us-east-1", service: "s3")
        let date = try #require(ISO8601DateFormatter().date(from: "2013-05-24T00:00:00Z"))
        let headers = signer.sign(method: "GET", path: "/test.txt", headers: ["Host": "examplebucket.s3.amazonaws.com", "Range": "bytes=0-9"],
                                  body: Data(), date: date, includeContentHash: true)
        #expect(headers["x-amz-date"] == "20130524T000000Z")
        #expect(headers["x-amz-content-sha256"] == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(headers["authorization"] == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test("a session token is signed and sent; the secret never prints")
    func sessionToken() {
        let credentials = SigV4.Credentials(accessKeyID: "AKID", secretAccessKey: "planted-secret-key", sessionToken: "session-token")
        let headers = SigV4(credentials: credentials, region: "eu-west-1", service: "secretsmanager")
            .sign(method: "POST", path: "/", headers: ["host": "secretsmanager.eu-west-1.amazonaws.com"], body: Data("{}".utf8), date: Date())
        #expect(headers["x-amz-security-token"] == "session-token" && headers["authorization"]?.contains("x-amz-security-token") == true)
        for shown in ["\(credentials)", String(reflecting: credentials), "\(Mirror(reflecting: credentials).children.map(\.value))"] {
            #expect(!shown.contains("planted-secret-key"), "\(shown)")
        }
    }
}
