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

    @Test("the credential chain: the environment first, then the shared credentials file's profile (AWS_PROFILE, else default)")
    func standardChain() throws {
        let folder = NSTemporaryDirectory() + "aws-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let file = folder + "/credentials"
        try Data("""
            # a comment
            [default]
            aws_access_key_id = AKIDDEFAULT
            aws_secret_access_key = default-secret

            [ci]
            aws_access_key_id=AKIDCI
            aws_secret_access_key=ci-secret
            aws_session_token = ci-token
            """.utf8).write(to: URL(fileURLWithPath: file))
        let fromFile = SigV4.Credentials.fromStandardChain(["AWS_SHARED_CREDENTIALS_FILE": file])
        #expect(fromFile?.accessKeyID == "AKIDDEFAULT" && fromFile?.sessionToken == nil)
        let profile = SigV4.Credentials.fromStandardChain(["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "ci"])
        #expect(profile?.accessKeyID == "AKIDCI" && profile?.sessionToken == "ci-token")
        let environment = SigV4.Credentials.fromStandardChain(["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_ACCESS_KEY_ID": "AKIDENV", "AWS_SECRET_ACCESS_KEY": "s"])
        #expect(environment?.accessKeyID == "AKIDENV")
        #expect(SigV4.Credentials.fromStandardChain(["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "missing"]) == nil)
        #expect(SigV4.Credentials.fromStandardChain(["HOME": folder + "/nowhere"]) == nil)
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

    @Test("a signature prints its header names, never the session token it carries")
    func signatureHidesToken() {
        let signature = SigV4(credentials: .init(accessKeyID: "AKID", secretAccessKey: "s", sessionToken: "planted-session-token"),
                              region: "eu-west-1", service: "secretsmanager")
            .signature(method: "POST", path: "/", headers: [("host", "example.com")], body: Data(), date: Date())
        for shown in ["\(signature)", String(reflecting: signature), "\(Mirror(reflecting: signature).children.map(\.value))"] {
            #expect(!shown.contains("planted-session-token"), "\(shown)")
        }
    }

    @Test("S3 signs the path as sent: repeated slashes and dots kept, each segment encoded once")
    func s3PathAsSent() {
        #expect(SigV4.CanonicalRequest.uri("/my-object//example/./photo.user", service: "s3") == "/my-object//example/./photo.user")
        #expect(SigV4.CanonicalRequest.uri("/a%20b/c d", service: "s3") == "/a%20b/c%20d")
    }

    @Test("other services sign the normalized path encoded again, so an encoded path is encoded twice")
    func otherServicesEncodeTwice() {
        #expect(SigV4.CanonicalRequest.uri("/a%20b//c/../d/", service: "secretsmanager") == "/a%2520b/d/")
        #expect(SigV4.CanonicalRequest.uri("", service: "secretsmanager") == "/")
    }

    @Test("the canonical query decodes, encodes again and sorts by name then value; + stays a plus, a bare name gets =")
    func canonicalQuery() {
        #expect(SigV4.CanonicalRequest.query("b=2&a=%7e&c&a=1+1&x=%2F/") == "a=1%2B1&a=~&b=2&c=&x=%2F%2F")
    }
}
