import Foundation
import Testing

extension Browser {
    /// Signs in as a person does: opens the form (its CSRF cookie and hidden field, where the service sets them), posts
    /// it with the organization, e-mail address and password, and keeps the session cookie on success. Returns the answer
    /// to the post.
    @discardableResult
    func signInThroughForm(organization: String, email: String, password: String) async throws -> APIClient.Answer {
        cookie = nil
        let form = try await get("/console/sign-in")
        let formCookie = form.headers[values: .setCookie].first.map { String($0.prefix { $0 != ";" }) }
        let csrf = form.text.firstMatch(of: /name="csrf" value="([^"]*)"/).map { String($0.1) }
        cookie = formCookie
        var fields = ["organization": organization, "email": email, "password": password]
        fields["csrf"] = csrf
        let answer = try await post("/console/sign-in", fields)
        cookie = answer.status == .seeOther ? answer.headers[.setCookie].map { String($0.prefix { $0 != ";" }) } : nil
        return answer
    }
}
