import Foundation

/// Just enough multipart/form-data for Qlik's uploads: named parts with
/// optional filename and content type, bodies kept as bytes.
struct MultipartForm {
    struct Part {
        let name: String
        let filename: String?
        let contentType: String?
        let body: [UInt8]
    }

    let parts: [Part]

    func part(_ name: String) -> Part? { parts.first { $0.name == name } }

    init(contentType: String?, body: [UInt8]) throws(QlikErrorResponse) {
        guard let contentType, contentType.lowercased().hasPrefix("multipart/form-data"),
              let boundaryRange = contentType.range(of: "boundary=") else {
            throw .badRequest("Expected a multipart/form-data body with a boundary.")
        }
        var boundary = String(contentType[boundaryRange.upperBound...])
        if let end = boundary.firstIndex(of: ";") { boundary = String(boundary[..<end]) }
        boundary = boundary.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        let delimiter = Array("--\(boundary)".utf8)
        var parts: [Part] = []
        guard var position = Self.find(delimiter, in: body, from: 0) else {
            throw .badRequest("The multipart body has no boundary line.")
        }
        while true {
            position += delimiter.count
            guard position + 2 <= body.count else { throw .badRequest("The multipart body ends inside a boundary.") }
            if body[position...].starts(with: [0x2D, 0x2D]) { break } // "--": the closing boundary
            guard body[position...].starts(with: [0x0D, 0x0A]) else { throw .badRequest("A multipart boundary is not followed by CRLF.") }
            position += 2
            guard let headerEnd = Self.find(Array("\r\n\r\n".utf8), in: body, from: position) else {
                throw .badRequest("A multipart part has no end of headers.")
            }
            let headers = String(decoding: body[position..<headerEnd], as: UTF8.self).components(separatedBy: "\r\n")
            guard let next = Self.find(Array("\r\n".utf8) + delimiter, in: body, from: headerEnd + 4) else {
                throw .badRequest("A multipart part is not closed by a boundary.")
            }
            var name: String?, filename: String?, type: String?
            for header in headers {
                let lower = header.lowercased()
                if lower.hasPrefix("content-disposition:") {
                    name = Self.parameter("name", in: header)
                    filename = Self.parameter("filename", in: header)
                } else if lower.hasPrefix("content-type:") {
                    type = header.dropFirst("content-type:".count).trimmingCharacters(in: .whitespaces)
                }
            }
            guard let name else { throw .badRequest("A multipart part has no name.") }
            parts.append(Part(name: name, filename: filename, contentType: type, body: Array(body[(headerEnd + 4)..<next])))
            position = next + 2
        }
        self.parts = parts
    }

    private static func parameter(_ key: String, in header: String) -> String? {
        for piece in header.split(separator: ";").dropFirst() {
            let pair = piece.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0].trimmingCharacters(in: .whitespaces).lowercased() == key else { continue }
            return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        }
        return nil
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var index = start
        while index <= haystack.count - needle.count {
            if haystack[index] == needle[0], haystack[index..<(index + needle.count)].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }
}
