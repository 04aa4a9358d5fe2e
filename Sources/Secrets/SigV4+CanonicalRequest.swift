import Foundation

extension SigV4 {
    /// The canonical request of Signature Version 4, built as AWS specifies it: method, canonical URI,
    /// canonical query, canonical headers, signed header names and payload hash, one per line.
    struct CanonicalRequest {
        let text: String
        let signedHeaders: String

        init(method: String, path: String, query: String, headers: [(name: String, value: String)], payloadHash: String, service: String) {
            let canonical = Self.headers(headers)
            signedHeaders = canonical.signed
            text = [method, Self.uri(path, service: service), Self.query(query), canonical.lines, canonical.signed, payloadHash]
                .joined(separator: "\n")
        }

        /// S3 signs the path as it is sent (encoded once, never normalized: `a//b` and `a/./b` are other keys);
        /// every other service signs the normalized path with each segment encoded again, so a path already
        /// percent-encoded on the request line is encoded twice, as AWS specifies.
        static func uri(_ path: String, service: String) -> String {
            if signsPathAsSent(service) {
                let segments = path.split(separator: "/", omittingEmptySubsequences: false)
                    .map { encoded(String($0).removingPercentEncoding ?? String($0)) }
                let joined = segments.joined(separator: "/")
                return joined.hasPrefix("/") ? joined : "/" + joined
            }
            return normalized(path).split(separator: "/", omittingEmptySubsequences: false).map { encoded(String($0)) }.joined(separator: "/")
        }

        /// The S3 family (S3, S3 on Outposts, S3 Express) signs object keys as sent.
        static func signsPathAsSent(_ service: String) -> Bool {
            service == "s3" || service == "s3-outposts" || service == "s3express"
        }

        /// RFC 3986 dot-segment removal, with empty segments (repeated slashes) dropped as well; a path that
        /// ends in `/`, `/.` or `/..` keeps its trailing slash.
        static func normalized(_ path: String) -> String {
            let raw = path.split(separator: "/", omittingEmptySubsequences: false)
            var kept: [Substring] = []
            for segment in raw {
                switch segment {
                case "", ".": continue
                case "..": _ = kept.popLast()
                default: kept.append(segment)
                }
            }
            let last = raw.last ?? ""
            let trailingSlash = !kept.isEmpty && (last.isEmpty || last == "." || last == "..")
            return "/" + kept.joined(separator: "/") + (trailingSlash ? "/" : "")
        }

        /// Parameters split on `&` and at their first `=`, decoded, encoded again with the unreserved set, and
        /// sorted by name then value; a parameter without `=` has an empty value. `+` stays a literal plus:
        /// AWS reads query strings by RFC 3986, not as HTML forms.
        static func query(_ raw: String) -> String {
            var parameters: [(name: String, value: String)] = []
            for parameter in raw.split(separator: "&", omittingEmptySubsequences: true) {
                let pieces = parameter.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = String(pieces[0])
                let value = pieces.count > 1 ? String(pieces[1]) : ""
                parameters.append((encoded(name.removingPercentEncoding ?? name), encoded(value.removingPercentEncoding ?? value)))
            }
            parameters.sort { $0.name == $1.name ? $0.value < $1.value : $0.name < $1.name }
            return parameters.map { $0.name + "=" + $0.value }.joined(separator: "&")
        }

        /// Names lowercased and sorted; the values of a repeated name joined by `,` in the order given, each
        /// trimmed, with inner runs of spaces and tabs folded to one space.
        static func headers(_ headers: [(name: String, value: String)]) -> (lines: String, signed: String) {
            var values: [String: [String]] = [:]
            for header in headers { values[header.name.lowercased(), default: []].append(folded(header.value)) }
            let names = values.keys.sorted()
            let lines = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
            return (lines, names.joined(separator: ";"))
        }

        static func folded(_ value: String) -> String {
            value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
        }

        /// RFC 3986 encoding of every byte but the unreserved set (A-Z a-z 0-9 - . _ ~), in uppercase hex.
        static func encoded(_ text: String) -> String {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(text.utf8.count)
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                     UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                    bytes.append(byte)
                default:
                    bytes += [UInt8(ascii: "%"), upperHexDigits[Int(byte >> 4)], upperHexDigits[Int(byte & 0x0f)]]
                }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        private static let upperHexDigits = Array("0123456789ABCDEF".utf8)
    }
}
