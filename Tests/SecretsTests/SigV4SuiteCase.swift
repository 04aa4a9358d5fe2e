import Foundation
@testable import Secrets

/// One case of AWS's Signature Version 4 test suite (Tests/Fixtures/aws-sig-v4-test-suite, see its
/// NOTICE.md): the request of its `.req` file, signed the way the suite's configuration says.
struct SigV4SuiteCase {
    struct FixtureError: Error, CustomStringConvertible {
        let description: String
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/aws-sig-v4-test-suite")

    /// Every folder under the suite's root that holds a `.req` file, as its relative path ("normalize-path/get-slash").
    static let names: [String] = {
        guard let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        return files.compactMap { $0 as? URL }.filter { $0.pathExtension == "req" }
            .map { $0.deletingLastPathComponent().path.replacingOccurrences(of: root.path + "/", with: "") }
            .sorted()
    }()

    // The suite's configuration, as AWS publishes it beside the files.
    static let credentials = (accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    static let region = "us-east-1"
    static let service = "service"
    static let date = "20150830T123600Z"

    let name: String
    let method: String
    let path: String
    let query: String
    let headers: [(name: String, value: String)]
    let body: Data

    init(_ name: String) throws {
        self.name = name
        let request = try Self.read(name, "req")
        let parts = request.components(separatedBy: "\n\n")
        var lines = parts[0].split(separator: "\n", omittingEmptySubsequences: false)
        let requestLine = lines.removeFirst()
        // The target is everything between the first and the last space: the suite's paths may hold spaces.
        guard let first = requestLine.firstIndex(of: " "), let last = requestLine.lastIndex(of: " "), first < last else {
            throw FixtureError(description: "\(name).req: the first line '\(requestLine)' is not 'METHOD target HTTP/1.1'")
        }
        method = String(requestLine[..<first])
        let target = requestLine[requestLine.index(after: first)..<last]
        let mark = target.firstIndex(of: "?")
        path = String(target[..<(mark ?? target.endIndex)])
        query = mark.map { String(target[target.index(after: $0)...]) } ?? ""
        var headers: [(name: String, value: String)] = []
        for line in lines {
            if line.first == " " || line.first == "\t", let previous = headers.last {
                // AWS's expected canonical request reads an obs-fold line as one more value of the header above.
                headers.append((previous.name, String(line)))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw FixtureError(description: "\(name).req: the header line '\(line)' has no ':'")
            }
            headers.append((String(line[..<colon]), String(line[line.index(after: colon)...])))
        }
        self.headers = headers
        body = Data(parts.dropFirst().joined(separator: "\n\n").utf8)
    }

    /// The expected text of one step: "creq", "sts", "authz" or "sreq".
    func expected(_ step: String) throws -> String { try Self.read(name, step) }

    /// The post-sts-token cases sign with temporary credentials; post-sts-header-after adds the token after
    /// signing (post-sts-token/readme.txt).
    func signature() throws -> SigV4.Signature {
        let token = name.hasPrefix("post-sts-token/") ? try Self.sessionToken() : nil
        let credentials = SigV4.Credentials(accessKeyID: Self.credentials.accessKeyID, secretAccessKey: Self.credentials.secretAccessKey,
                                            sessionToken: token)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        guard let date = formatter.date(from: Self.date) else { throw FixtureError(description: "the suite's date \(Self.date) does not parse") }
        return SigV4(credentials: credentials, region: Self.region, service: Self.service)
            .signature(method: method, path: path, query: query, headers: headers, body: body, date: date,
                       securityToken: name.hasSuffix("post-sts-header-after") ? .addedAfterSigning : .signed)
    }

    /// The example session token, the last line of post-sts-token/readme.txt.
    static func sessionToken() throws -> String {
        let readme = try String(contentsOf: root.appendingPathComponent("post-sts-token/readme.txt"), encoding: .utf8)
        guard let token = readme.split(separator: "\n").last.map(String.init), !token.isEmpty else {
            throw FixtureError(description: "post-sts-token/readme.txt does not end with the example session token")
        }
        return token
    }

    static func read(_ name: String, _ step: String) throws -> String {
        let file = root.appendingPathComponent(name).appendingPathComponent("\((name as NSString).lastPathComponent).\(step)")
        do {
            return try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw FixtureError(description: "cannot read \(file.path) (\(error)); the suite's files belong in Tests/Fixtures/aws-sig-v4-test-suite")
        }
    }
}
