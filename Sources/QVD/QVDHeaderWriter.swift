import Foundation

/// Renders a ``QVDHeader`` as the XML Qlik writes, with every element that
/// strict readers (pyqvd among them) require, even when empty.
enum QVDHeaderWriter {
    /// The Qlik build number written into QvBuildNo; readers check only that it is a number.
    static let buildNumber = "50689"

    static func utcTimestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day)) \(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
    }

    static func escape(_ text: String) -> String {
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "\r": escaped += "&#13;"
            default:
                // XML 1.0 cannot carry most control characters even as references.
                if scalar.value < 0x20 && scalar != "\n" && scalar != "\t" { escaped += "\u{FFFD}" } else { escaped.unicodeScalars.append(scalar) }
            }
        }
        return escaped
    }

    static func xml(_ header: QVDHeader) -> String {
        var lines = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
            "<QvdTableHeader>",
            "  <QvBuildNo>\(escape(header.qvBuildNo ?? buildNumber))</QvBuildNo>",
            "  <CreatorDoc>\(escape(header.creatorDoc ?? ""))</CreatorDoc>",
            "  <CreateUtcTime>\(escape(header.createUtcTime ?? ""))</CreateUtcTime>",
            "  <SourceCreateUtcTime></SourceCreateUtcTime>",
            "  <SourceFileUtcTime></SourceFileUtcTime>",
            "  <SourceFileSize>-1</SourceFileSize>",
            "  <StaleUtcTime></StaleUtcTime>",
            "  <TableName>\(escape(header.tableName))</TableName>",
            "  <Fields>",
        ]
        for field in header.fields {
            let format = field.numberFormat
            lines += [
                "    <QvdFieldHeader>",
                "      <FieldName>\(escape(field.name))</FieldName>",
                "      <BitOffset>\(field.bitOffset)</BitOffset>",
                "      <BitWidth>\(field.bitWidth)</BitWidth>",
                "      <Bias>\(field.bias)</Bias>",
                "      <NumberFormat>",
                "        <Type>\(escape(format.type))</Type>",
                "        <nDec>\(format.decimals)</nDec>",
                "        <UseThou>\(format.useThousands)</UseThou>",
                "        <Fmt>\(escape(format.format))</Fmt>",
                "        <Dec>\(escape(format.decimalSeparator))</Dec>",
                "        <Thou>\(escape(format.thousandsSeparator))</Thou>",
                "      </NumberFormat>",
                "      <NoOfSymbols>\(field.numberOfSymbols)</NoOfSymbols>",
                "      <Offset>\(field.offset)</Offset>",
                "      <Length>\(field.length)</Length>",
                "      <Comment>\(escape(field.comment ?? ""))</Comment>",
            ]
            if field.tags.isEmpty {
                lines.append("      <Tags></Tags>")
            } else {
                lines.append("      <Tags>")
                lines += field.tags.map { "        <String>\(escape($0))</String>" }
                lines.append("      </Tags>")
            }
            lines.append("    </QvdFieldHeader>")
        }
        lines += [
            "  </Fields>",
            "  <Compression></Compression>",
            "  <RecordByteSize>\(header.recordByteSize)</RecordByteSize>",
            "  <NoOfRecords>\(header.numberOfRecords)</NoOfRecords>",
            "  <Offset>\(header.indexOffset)</Offset>",
            "  <Length>\(header.indexLength)</Length>",
        ]
        if header.lineage.isEmpty {
            lines.append("  <Lineage></Lineage>")
        } else {
            lines.append("  <Lineage>")
            for info in header.lineage {
                lines += [
                    "    <LineageInfo>",
                    "      <Discriminator>\(escape(info.discriminator))</Discriminator>",
                    "      <Statement>\(escape(info.statement))</Statement>",
                    "    </LineageInfo>",
                ]
            }
            lines.append("  </Lineage>")
        }
        lines += [
            "  <Comment>\(escape(header.comment ?? ""))</Comment>",
            "  <EncryptionInfo></EncryptionInfo>",
            "  <TableTags></TableTags>",
            "  <ProfilingData></ProfilingData>",
            "</QvdTableHeader>",
        ]
        return lines.joined(separator: "\r\n")
    }
}
