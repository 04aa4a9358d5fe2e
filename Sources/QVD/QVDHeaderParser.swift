/// Finds the end of a QVD's XML header and turns the header into a
/// validated ``QVDHeader``.
enum QVDHeaderParser {
    static let closingTag = Array("</QvdTableHeader>".utf8)
    /// Headers with thousands of fields and long lineage stay far below this.
    static let maximumHeaderSize: UInt64 = 64 << 20

    /// Reads the header from the start of `source`; returns it and where the
    /// symbol tables begin (just past the header's terminating `\r\n\0`).
    static func read(from source: some QVDByteSource) throws(QVDError) -> (QVDHeader, dataStart: UInt64) {
        var prefix: [UInt8] = []
        var searched = 0
        let chunk: UInt64 = 64 << 10
        while true {
            let offset = UInt64(prefix.count)
            guard offset < source.size else {
                throw QVDError(.headerNotTerminated, "The file has no complete QVD header: </QvdTableHeader> never comes", at: offset)
            }
            guard offset < maximumHeaderSize else {
                throw QVDError(.headerNotTerminated, "No </QvdTableHeader> in the first \(maximumHeaderSize >> 20) MiB: this is not a QVD file", at: offset)
            }
            prefix += try source.bytes(at: offset, count: min(chunk, source.size - offset), what: "the header")
            if prefix.count == Int(min(chunk, source.size)), !looksLikeXML(prefix) {
                throw QVDError(.malformedHeader, "The file does not start with an XML QVD header", at: 0)
            }
            if let end = find(closingTag, in: prefix, from: max(0, searched - closingTag.count)) {
                var position = end + closingTag.count
                // Qlik ends the header with \r\n and a NUL byte; the symbols follow.
                while position < prefix.count, prefix[position] == 0x0D || prefix[position] == 0x0A { position += 1 }
                if position == prefix.count, UInt64(prefix.count) < source.size {
                    prefix += try source.bytes(at: UInt64(prefix.count), count: min(16, source.size - UInt64(prefix.count)), what: "the header's end")
                    while position < prefix.count, prefix[position] == 0x0D || prefix[position] == 0x0A { position += 1 }
                }
                guard position < prefix.count, prefix[position] == 0 else {
                    throw QVDError(.headerNotTerminated, "The QVD header does not end with \\r\\n\\0 after </QvdTableHeader>", at: UInt64(position))
                }
                let xml = Array(prefix[0..<(end + closingTag.count)])
                let header = try parse(XMLTreeParser.parse(xml))
                return (header, UInt64(position + 1))
            }
            searched = prefix.count
        }
    }

    private static func looksLikeXML(_ bytes: [UInt8]) -> Bool {
        bytes.prefix(256).first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF) } == 0x3C
    }

    private static func find(_ needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
        var index = start
        let first = needle[0]
        while index <= haystack.count - needle.count {
            if haystack[index] == first, haystack[index..<index + needle.count].elementsEqual(needle) { return index }
            index += 1
        }
        return nil
    }

    static func parse(_ root: XMLElement) throws(QVDError) -> QVDHeader {
        guard root.name == "QvdTableHeader" else {
            throw QVDError(.malformedHeader, "The root element is <\(root.name)>, not <QvdTableHeader>")
        }
        if let compression = root.child("Compression")?.text.trimmed, !compression.isEmpty {
            throw QVDError(.unsupported, "The QVD uses compression '\(compression)', which is not supported")
        }
        guard let fieldsElement = root.child("Fields") else {
            throw QVDError(.missingElement, "The QVD header has no <Fields> element")
        }
        let fields = try fieldsElement.children("QvdFieldHeader").map { element throws(QVDError) in try field(element) }
        let recordByteSize = try integer(root, "RecordByteSize", in: "the table", range: 0...1 << 20)
        let numberOfRecords = try integer(root, "NoOfRecords", in: "the table", range: 0...Int(Int32.max) * 64)
        let indexOffset = try integer(root, "Offset", in: "the table", range: 0...Int.max)
        let indexLength = try integer(root, "Length", in: "the table", range: 0...Int.max)
        guard recordByteSize.multipliedReportingOverflow(by: numberOfRecords).partialValue == indexLength,
              !recordByteSize.multipliedReportingOverflow(by: numberOfRecords).overflow else {
            throw QVDError(.malformedHeader,
                "The index table's Length \(indexLength) is not NoOfRecords \(numberOfRecords) × RecordByteSize \(recordByteSize)")
        }
        for field in fields {
            guard field.bitOffset + field.bitWidth <= recordByteSize * 8 else {
                throw QVDError(.malformedHeader,
                    "Field '\(field.name)' occupies bits \(field.bitOffset)..<\(field.bitOffset + field.bitWidth), past the \(recordByteSize)-byte record")
            }
        }
        let lineage = root.child("Lineage")?.children("LineageInfo").map {
            QVDLineage(discriminator: $0.child("Discriminator")?.text ?? "", statement: $0.child("Statement")?.text ?? "")
        } ?? []
        return QVDHeader(
            tableName: root.child("TableName")?.text ?? "",
            qvBuildNo: root.child("QvBuildNo")?.text,
            creatorDoc: root.child("CreatorDoc")?.text,
            createUtcTime: root.child("CreateUtcTime")?.text,
            fields: fields,
            recordByteSize: recordByteSize,
            numberOfRecords: numberOfRecords,
            indexOffset: UInt64(indexOffset),
            indexLength: UInt64(indexLength),
            lineage: lineage,
            comment: root.child("Comment")?.text.nonEmpty
        )
    }

    private static func field(_ element: XMLElement) throws(QVDError) -> QVDFieldHeader {
        guard let name = element.child("FieldName")?.text else {
            throw QVDError(.missingElement, "A <QvdFieldHeader> has no <FieldName>")
        }
        let what = "field '\(name)'"
        let bitWidth = try integer(element, "BitWidth", in: what, range: 0...Int.max)
        guard bitWidth <= 64 else {
            throw QVDError(.unsupported, "Field '\(name)' has BitWidth \(bitWidth); at most 64 is possible")
        }
        let format = element.child("NumberFormat")
        return QVDFieldHeader(
            name: name,
            bitOffset: try integer(element, "BitOffset", in: what, range: 0...Int(Int32.max)),
            bitWidth: bitWidth,
            bias: try integer(element, "Bias", in: what, range: Int(Int32.min)...Int(Int32.max)),
            numberFormat: QVDNumberFormat(
                type: format?.child("Type")?.text ?? "UNKNOWN",
                decimals: Int(format?.child("nDec")?.text.trimmed ?? "") ?? 0,
                useThousands: Int(format?.child("UseThou")?.text.trimmed ?? "") ?? 0,
                format: format?.child("Fmt")?.text ?? "",
                decimalSeparator: format?.child("Dec")?.text ?? "",
                thousandsSeparator: format?.child("Thou")?.text ?? ""
            ),
            numberOfSymbols: try integer(element, "NoOfSymbols", in: what, range: 0...Int(Int32.max)),
            offset: UInt64(try integer(element, "Offset", in: what, range: 0...Int.max)),
            length: UInt64(try integer(element, "Length", in: what, range: 0...Int.max)),
            tags: element.child("Tags")?.children("String").map(\.text) ?? [],
            comment: element.child("Comment")?.text.nonEmpty
        )
    }

    private static func integer(_ element: XMLElement, _ name: String, in what: String, range: ClosedRange<Int>) throws(QVDError) -> Int {
        guard let text = element.child(name)?.text.trimmed else {
            throw QVDError(.missingElement, "The QVD header lacks <\(name)> for \(what)")
        }
        guard let value = Int(text), range.contains(value) else {
            throw QVDError(.invalidNumber, "<\(name)> of \(what) is '\(text.prefix(40))', not a whole number in \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }
}

extension String {
    var trimmed: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }

    var nonEmpty: String? { isEmpty ? nil : self }
}
