import Foundation
import Testing
@testable import QVD

@Suite("CSV in and out")
struct CSVConversionTests {
    func temporary(_ name: String) -> String { NSTemporaryDirectory() + "csv-\(UUID().uuidString)-\(name)" }

    @Test("parses RFC 4180: quotes, doubled quotes, commas and line breaks inside quotes, CRLF and LF")
    func rfc4180() throws {
        let path = temporary("in.csv")
        try Data("a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n3,,é\n".utf8).write(to: URL(fileURLWithPath: path))
        let reader = try CSVReader(path: path)
        var records: [[String]] = []
        while let record = try reader.next() { records.append(record) }
        #expect(records == [["a", "b", "c"], ["1", "x, y", "say \"hi\""], ["2", "two\nlines", ""], ["3", "", "é"]])
    }

    @Test("refuses an unclosed quote, a stray quote and invalid UTF-8, naming where", arguments: [
        "a\n\"open,1\n", "a,b\nx\"y,1\n",
    ])
    func malformed(_ text: String) throws {
        let path = temporary("bad.csv")
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let reader = try CSVReader(path: path)
        #expect(throws: QVDError.self) { while try reader.next() != nil {} }
    }

    @Test("types cells as documented", arguments: [
        ("", QlikValue.null), ("42", .integer(42)), ("-7", .integer(-7)), ("0", .integer(0)), ("007", .text("007")), ("+1", .text("+1")),
        ("3.25", .double(3.25)), ("-1e6", .dual(-1e6, "-1e6")), ("1.5E-3", .dual(0.0015, "1.5E-3")), ("1.50", .dual(1.5, "1.50")), ("nan", .text("nan")), ("inf", .text("inf")),
        ("0x10", .text("0x10")), ("1.2.3", .text("1.2.3")), ("99999999999999999999", .text("99999999999999999999")),
        ("2024-02-29", .dual(45351, "2024-02-29")), ("2023-02-29", .text("2023-02-29")),
        ("2024-01-31 12:00:00", .dual(45322.5, "2024-01-31 12:00:00")), ("2024-01-31T06:00:00", .dual(45322.25, "2024-01-31T06:00:00")),
        ("hello", .text("hello")), (" 1", .text(" 1")),
    ])
    func typing(_ cell: String, _ expected: QlikValue) {
        #expect(CSVValueParser.value(cell) == expected)
    }

    @Test("CSV to QVD to CSV gives back the same text, with dates formatted as dates")
    func roundTrip() throws {
        let csv = "id,name,amount,day,code\r\n1,Zoë,1.5,2024-01-31,007\r\n2,\"Smith, J\",,2024-02-01,\r\n3,\"q\"\"uote\",-2,2024-02-02,x\r\n"
        let input = temporary("in.csv"), qvd = temporary("t.qvd"), output = temporary("out.csv")
        try Data(csv.utf8).write(to: URL(fileURLWithPath: input))
        let summary = try CSVConversion.csvToQVD(input: input, output: qvd, tableName: "People")
        #expect(summary == .init(rows: 3, fields: ["id", "name", "amount", "day", "code"]))
        let reader = try QVDReader(path: qvd)
        #expect(reader.header.tableName == "People")
        #expect(reader.header.fields[3].numberFormat.type == "DATE")
        #expect(reader.header.fields[3].tags.contains("$date"))
        #expect(FileManager.default.createFile(atPath: output, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: output))
        try CSVConversion.qvdToCSV(input: qvd, to: handle)
        try handle.close()
        #expect(try String(contentsOfFile: output, encoding: .utf8) == csv)
    }

    @Test("a ragged row is refused and no QVD is left behind")
    func ragged() throws {
        let input = temporary("ragged.csv"), qvd = temporary("ragged.qvd")
        try Data("a,b\n1,2\n3\n".utf8).write(to: URL(fileURLWithPath: input))
        let error = #expect(throws: QVDError.self) { try CSVConversion.csvToQVD(input: input, output: qvd, tableName: "T") }
        #expect(error?.description.contains("line 3") == true)
        #expect(!FileManager.default.fileExists(atPath: qvd))
    }
}
