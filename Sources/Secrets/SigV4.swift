import Crypto
public import Foundation

/// AWS Signature Version 4, as AWS publishes it: a canonical request, a
/// string to sign, a key derived from the secret by date, region and
/// service, and the Authorization header that carries the signature.
public struct SigV4: Sendable {
    public struct Credentials: Sendable, CustomStringConvertible, CustomReflectable {
        public let accessKeyID: String
        let secretAccessKey: String
        public let sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }

        /// The standard chain's first link: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.
        public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Credentials? {
            guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else { return nil }
            return Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 })
        }

        /// The standard chain as far as this program follows it: the environment, then the shared credentials file
        /// (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials), profile AWS_PROFILE or "default". Instance and
        /// container metadata are not asked.
        public static func fromStandardChain(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Credentials? {
            if let found = fromEnvironment(environment) { return found }
            let home = environment["HOME"] ?? NSHomeDirectory()
            let path = environment["AWS_SHARED_CREDENTIALS_FILE"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.aws/credentials"
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            return fromSharedFile(String(decoding: data, as: UTF8.self), profile: environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default")
        }

        /// A profile of the shared credentials file (INI: `[profile]`, then `key = value` lines; `#` and `;` start comments).
        public static func fromSharedFile(_ text: String, profile: String) -> Credentials? {
            var current: String?
            var values: [String: String] = [:]
            for raw in text.split(whereSeparator: \.isNewline) {
                let line = raw.trimmingCharacters(in: .whitespaces)
                if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
                if line.hasPrefix("["), line.hasSuffix("]") {
                    current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                    continue
                }
                guard current == profile, let equals = line.firstIndex(of: "=") else { continue }
                values[line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            }
            guard let id = values["aws_access_key_id"], !id.isEmpty, let secret = values["aws_secret_access_key"], !secret.isEmpty else { return nil }
            return Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 })
        }

        public var description: String { "AWS credentials \(accessKeyID) (secret hidden)" }
        public var customMirror: Mirror { Mirror(self, children: ["accessKeyID": accessKeyID]) }
    }

    public let credentials: Credentials
    public let region: String
    public let service: String

    public init(credentials: Credentials, region: String, service: String) {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// Where the session token of temporary credentials goes. Most services, Secrets Manager among them,
    /// want `x-amz-security-token` signed; a few want it added after signing (AWS's post-sts-header-after).
    public enum SecurityTokenPlacement: Sendable {
        case signed
        case addedAfterSigning
    }

    /// A request's signature: the headers to add, in order, and the steps that led to them.
    public struct Signature: Sendable, CustomStringConvertible, CustomReflectable {
        /// `x-amz-date`, `x-amz-content-sha256` when asked, `x-amz-security-token` when there is a session
        /// token, then `authorization`.
        public let headers: [(name: String, value: String)]
        let canonicalRequest: String
        let stringToSign: String

        public var authorization: String { headers.last?.value ?? "" }
        // The session token rides in the headers and the canonical request: neither prints.
        public var description: String { "SigV4 signature (\(headers.map(\.name).joined(separator: ", ")); values hidden)" }
        public var customMirror: Mirror { Mirror(self, children: ["headers": headers.map(\.name)]) }
    }

    /// The headers the signer sets itself; any the caller passes under these names are replaced.
    static let signerHeaders: Set<String> = ["authorization", "x-amz-date", "x-amz-content-sha256", "x-amz-security-token"]

    /// Signs a request. `path` is the path of the request line (before `?`), `query` what follows `?`, raw;
    /// `headers` must hold `host`; a repeated name is signed as one header whose values are joined by `,`.
    public func signature(method: String, path: String, query: String = "", headers: [(name: String, value: String)], body: Data,
                          date: Date, includeContentHash: Bool = false, securityToken: SecurityTokenPlacement = .signed) -> Signature {
        let stamp = Self.timestamp(date)
        let day = String(stamp.prefix(8))
        let payloadHash = SHA256Digest.hex(body)
        var added: [(name: String, value: String)] = [("x-amz-date", stamp)]
        if includeContentHash { added.append(("x-amz-content-sha256", payloadHash)) }
        var signed = headers.filter { !Self.signerHeaders.contains($0.name.lowercased()) } + added
        if let token = credentials.sessionToken {
            added.append(("x-amz-security-token", token))
            if securityToken == .signed { signed.append(("x-amz-security-token", token)) }
        }
        let canonical = CanonicalRequest(method: method, path: path, query: query, headers: signed, payloadHash: payloadHash, service: service)
        let scope = "\(day)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", stamp, scope, SHA256Digest.hex(canonical.text)].joined(separator: "\n")
        var key = SymmetricKey(data: Data(("AWS4" + credentials.secretAccessKey).utf8))
        for part in [day, region, service, "aws4_request"] {
            key = SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(part.utf8), using: key)))
        }
        let mac = Self.hex(HMAC<SHA256>.authenticationCode(for: Data(stringToSign.utf8), using: key))
        added.append(("authorization", "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(canonical.signedHeaders), Signature=\(mac)"))
        return Signature(headers: added, canonicalRequest: canonical.text, stringToSign: stringToSign)
    }

    /// The headers to add to a request, by lowercase name: `x-amz-date`, `x-amz-content-sha256` when asked,
    /// the session token (signed) when there is one, and `authorization`. `headers` must hold `host`.
    public func sign(method: String, path: String, query: String = "", headers: [String: String], body: Data, date: Date,
                     includeContentHash: Bool = false) -> [String: String] {
        let pairs = headers.map { (name: $0.key, value: $0.value) }
        let signed = signature(method: method, path: path, query: query, headers: pairs, body: body, date: date, includeContentHash: includeContentHash)
        return Dictionary(signed.headers.map { ($0.name, $0.value) }, uniquingKeysWith: { $1 })
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.string(from: date)
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { String(format: "%02x", $0) }.joined()
    }
}
