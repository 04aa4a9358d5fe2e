import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
import TestRepositories
@testable import Service

/// A body that is not the form a console page posts is answered 400 with what was wrong and what is expected, never a 500,
/// and never with a field's value (it may be a password).
@Suite("Console forms: read by Hummingbird's URL-encoded form decoder; a body that is not one is a clear 400")
struct ConsoleFormTests {
    /// The sign-in form posted with `body` as it is: it needs no session, and the form is read before anything is checked.
    static func postSignIn(_ body: String) async throws -> APIClient.Answer {
        let harness = try await ServiceHarness.make(.sqlite)
        return try await harness.withClient { api in
            try await api.client.execute(uri: "/console/sign-in", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                         body: ByteBuffer(string: body)) { Browser.answer($0) }
        }
    }

    static func message(_ answer: APIClient.Answer) -> String {
        (answer.object["error"] as? [String: Any])?["message"] as? String ?? answer.text
    }

    @Test("a field sent twice is refused with 400, naming the field")
    func duplicateFieldRefused() async throws {
        let answer = try await Self.postSignIn("csrf=one&organization=Acme&csrf=two")
        #expect(answer.status == .badRequest && answer.errorCode == "malformed_form", "\(answer.status) \(answer.text)")
        #expect(Self.message(answer).hasPrefix("The form sends the field 'csrf' more than once; the console's forms send each field once"),
                "\(Self.message(answer))")
    }

    @Test("a value that is not valid percent-encoding is refused with 400, without repeating the value")
    func badPercentEncodingRefused() async throws {
        let answer = try await Self.postSignIn("csrf=x&organization=Acme&password=hunter2%zz")
        #expect(answer.status == .badRequest && answer.errorCode == "malformed_form", "\(answer.status) \(answer.text)")
        #expect(Self.message(answer).contains("not valid percent-encoding") && !answer.text.contains("hunter2"), "\(answer.text)")
    }

    @Test("a field sent as a list (email[]=) is refused with 400 saying that fields are sent once as name=value")
    func listFieldRefused() async throws {
        let answer = try await Self.postSignIn("csrf=x&organization=Acme&email[]=a@acme.example")
        #expect(answer.status == .badRequest && answer.errorCode == "malformed_form", "\(answer.status) \(answer.text)")
        #expect(Self.message(answer).contains("came as a list or with brackets") && Self.message(answer).contains("as name=value"),
                "\(Self.message(answer))")
    }

    @Test("a field name with an unmatched bracket is refused with 400, naming it")
    func corruptNameRefused() async throws {
        let answer = try await Self.postSignIn("csrf=x&email[=a@acme.example")
        #expect(answer.status == .badRequest && answer.errorCode == "malformed_form", "\(answer.status) \(answer.text)")
        #expect(Self.message(answer).contains("'email['") && Self.message(answer).contains("unmatched"), "\(Self.message(answer))")
    }
}
