/// Qlik's error body: `{"errors":[{"code","title","detail","status"}],"traceId"}`.
public struct QlikErrorBody: Decodable, Sendable, Equatable {
    public struct Entry: Decodable, Sendable, Equatable {
        public let code: String?
        public let title: String?
        public let detail: String?
        public let status: String?

        public init(code: String?, title: String?, detail: String?, status: String?) {
            self.code = code
            self.title = title
            self.detail = detail
            self.status = status
        }

        private enum CodingKeys: String, CodingKey { case code, title, detail, status }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            code = try container.decodeIfPresent(String.self, forKey: .code)
            title = try container.decodeIfPresent(String.self, forKey: .title)
            detail = try container.decodeIfPresent(String.self, forKey: .detail)
            // Some services send the status as a number, others as a string.
            if let text = try? container.decodeIfPresent(String.self, forKey: .status) {
                status = text
            } else {
                status = (try? container.decodeIfPresent(Int.self, forKey: .status)).flatMap { $0.map(String.init) }
            }
        }
    }

    public let errors: [Entry]
    public let traceId: String?

    /// OAuth endpoints may answer RFC 6749's `{"error","error_description"}` instead.
    private enum CodingKeys: String, CodingKey { case errors, traceId, error, error_description }

    public init(errors: [Entry], traceId: String?) {
        self.errors = errors
        self.traceId = traceId
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        traceId = try container.decodeIfPresent(String.self, forKey: .traceId)
        if let errors = try container.decodeIfPresent([Entry].self, forKey: .errors) {
            self.errors = errors
        } else if let error = try container.decodeIfPresent(String.self, forKey: .error) {
            errors = [Entry(code: error, title: error, detail: try container.decodeIfPresent(String.self, forKey: .error_description), status: nil)]
        } else {
            errors = []
        }
    }

    /// The first entry's words, as Qlik wrote them.
    var summary: String? {
        guard let first = errors.first else { return nil }
        return [first.title, first.detail].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
    }
}
