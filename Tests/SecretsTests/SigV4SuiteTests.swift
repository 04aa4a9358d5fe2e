import Foundation
import Testing
@testable import Secrets

/// AWS's published Signature Version 4 test suite, every case, each step compared on its own so that a
/// failure names the step that went wrong.
@Suite("AWS Signature Version 4 test suite")
struct SigV4SuiteTests {
    @Test("the suite's 31 cases are all here, each with its .req, .creq, .sts, .authz and .sreq")
    func suiteIsComplete() throws {
        #expect(SigV4SuiteCase.names.count == 31, "NOTICE.md lists 31 case folders; found \(SigV4SuiteCase.names)")
        for name in SigV4SuiteCase.names {
            for step in ["creq", "sts", "authz", "sreq"] { #expect(try !SigV4SuiteCase(name).expected(step).isEmpty, "\(name).\(step)") }
        }
    }

    @Test("the canonical request is the case's .creq", arguments: SigV4SuiteCase.names)
    func canonicalRequest(_ name: String) throws {
        let suiteCase = try SigV4SuiteCase(name)
        #expect(try suiteCase.signature().canonicalRequest == suiteCase.expected("creq"))
    }

    @Test("the string to sign is the case's .sts", arguments: SigV4SuiteCase.names)
    func stringToSign(_ name: String) throws {
        let suiteCase = try SigV4SuiteCase(name)
        #expect(try suiteCase.signature().stringToSign == suiteCase.expected("sts"))
    }

    @Test("the Authorization header is the case's .authz", arguments: SigV4SuiteCase.names)
    func authorization(_ name: String) throws {
        let suiteCase = try SigV4SuiteCase(name)
        #expect(try suiteCase.signature().authorization == suiteCase.expected("authz"))
    }

    @Test("post-sts-header-after: the session token is sent, unsigned, with the date and Authorization of its .sreq")
    func tokenAddedAfterSigning() throws {
        let suiteCase = try SigV4SuiteCase("post-sts-token/post-sts-header-after")
        let sent = try suiteCase.expected("sreq").split(separator: "\n").dropFirst().compactMap { line -> (String, String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (line[..<colon].lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let added = try suiteCase.signature().headers.map { "\($0.name): \($0.value)" }
        let expected = sent.filter { ["x-amz-date", "x-amz-security-token", "authorization"].contains($0.0) }.map { "\($0.0): \($0.1)" }
        #expect(added == expected)
    }
}
