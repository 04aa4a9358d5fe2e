import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Runtime
@testable import Service
import Testing
import UseCases

@Suite("Log injection: user input cannot write a line of its own into the service's log")
struct LogInjectionTests {
    @Test("a console sign-in with a line break in the e-mail address logs it escaped on the refusal's own line, never as a forged critical line")
    func forgedSignInLine() async throws {
        let harness = try await ServiceHarness.make()
        let output = ServiceLogStream()
        // The handler serve uses (a StreamLogHandler), given to the service as any caller would.
        var logger = Logger(label: "qlik-connector") { StreamLogHandler(label: $0, stream: output, metadataProvider: nil) }
        logger.logLevel = .info
        let service = ConnectorService(repository: harness.repository, keyring: nil, logger: logger, passwords: PasswordHasher(cost: 4))
        let forged = "2026-12-06T00:00:00Z critical forged"
        let app = Application(router: service.router(), services: service.services, logger: service.logger)
        let answer = try await app.test(.router) { client in
            // As a browser does: the form first, with whatever token and cookie it carries.
            let browser = Browser(api: APIClient(client: client))
            let form = try await browser.get("/console/sign-in")
            browser.cookie = form.headers[.setCookie].map { String($0.prefix { $0 != ";" }) }
            var fields = ["organization": "Acme", "email": "mallory@acme.example\n\(forged)", "password": "not the password"]
            fields["csrf"] = browser.csrf(in: form.text)
            return try await browser.post("/console/sign-in", fields)
        }
        #expect(answer.status == .unauthorized)
        let lines = output.text.split(separator: "\n")
        #expect(!lines.contains { $0.hasPrefix(forged) }, "a forged line reached the log:\n\(output.text)")
        let refusal = lines.first { $0.contains("console sign-in refused") }
        #expect(refusal?.contains("mallory@acme.example\\n\(forged)") == true, "\(output.text)")
    }
}

/// What the service's StreamLogHandler wrote, kept in memory.
struct ServiceLogStream: TextOutputStream, Sendable {
    private final class Buffer: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
    }
    private let buffer = Buffer()

    func write(_ string: String) { buffer.lock.withLock { buffer.text += string } }
    var text: String { buffer.lock.withLock { buffer.text } }
}
