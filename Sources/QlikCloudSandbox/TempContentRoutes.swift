import Foundation
import Hummingbird

/// `/api/v1/temp-contents`: uploads too large for one data-file request go
/// here first (octet-stream, `Location` in the answer), then become a data
/// file through `tempContentFileId`. Downloads honour `Range`; expired
/// contents are 410 Gone.
struct TempContentRoutes {
    let tenant: Tenant
    let base: BaseURL

    /// Qlik's default and largest time to live, in seconds.
    static let defaultTTL: TimeInterval = 3600
    static let maximumTTL: TimeInterval = 259_200

    func register(on group: RouterGroup<SandboxContext>) {
        group.post("temp-contents") { request, _ in
            let query = request.uri.queryParameters
            let filename = query["filename"].map(String.init) ?? "upload"
            var ttl = Self.defaultTTL
            if let raw = query["ttl"] {
                guard let value = TimeInterval(String(raw)), value > 0, value <= Self.maximumTTL else {
                    throw QlikErrorResponse.badRequest("ttl must be a number of seconds from 1 to \(Int(Self.maximumTTL)).")
                }
                ttl = value
            }
            let limit = tenant.configuration.maxLargeFileSize
            let body: ByteBuffer
            do { body = try await request.body.collect(upTo: limit) } catch {
                throw QlikErrorResponse(.contentTooLarge, title: "Request Entity Too Large", detail: "The upload is larger than \(limit) bytes.")
            }
            let item = try await tenant.addTempContent(filename: filename, content: Array(buffer: body), ttl: ttl)
            return Response(status: .created, headers: [.location: "\(base.origin(of: request))/api/v1/temp-contents/\(item.id)"])
        }
        group.get("temp-contents/:id") { request, context in
            let item = try await tenant.tempContent(try context.parameters.require("id"))
            var headers: HTTPFields = [.contentType: "application/octet-stream", .acceptRanges: "bytes",
                                       .contentDisposition: "attachment; filename=\"\(item.filename)\""]
            guard let range = request.headers[.range] else {
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: item.content)))
            }
            guard let (start, end) = Self.parse(range: range, size: item.content.count) else {
                headers[.contentRange] = "bytes */\(item.content.count)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            headers[.contentRange] = "bytes \(start)-\(end)/\(item.content.count)"
            return Response(status: .partialContent, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: item.content[start...end])))
        }
    }

    /// One `bytes=a-b`, `bytes=a-` or `bytes=-n` range, clipped to the content.
    static func parse(range: String, size: Int) -> (Int, Int)? {
        guard range.hasPrefix("bytes="), !range.contains(","), size > 0 else { return nil }
        let spec = range.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        if spec[0].isEmpty {
            guard let suffix = Int(spec[1]), suffix > 0 else { return nil }
            return (max(0, size - suffix), size - 1)
        }
        guard let start = Int(spec[0]), start < size else { return nil }
        let end = spec[1].isEmpty ? size - 1 : min(Int(spec[1]) ?? -1, size - 1)
        return end >= start ? (start, end) : nil
    }
}
