import Foundation
import QlikConnections
import Runtime
import Testing

@Suite("Data task parameters are checked before queueing, and file paths stay inside a runtime environment's files folder")
struct TaskParameterTests {
    @Test("each kind's parameters are named when missing or wrong, all at once, and stored with defaults filled in")
    func parameters() throws {
        func problems(_ kind: TaskKind, _ json: String) -> [String] {
            do {
                _ = try TaskPayloads.checked(kind, Data(json.utf8))
                return []
            } catch {
                return error.problems
            }
        }
        #expect(problems(.read, #"{"path": "x.txt"}"#) == ["Give app with table, or dataFile.", "x.txt: the output must end in .csv, .jsonl or .qvd (or give format)."])
        #expect(problems(.read, #"{"app": "A", "path": "x.csv"}"#) == ["app needs table."])
        #expect(problems(.read, #"{"dataFile": "d.qvd", "path": "x.csv", "fields": []}"#) == ["fields must name at least one field, none empty."])
        #expect(problems(.read, #"{"dataFile": "d.qvd"}"#) == ["The read parameters lack 'path'."])
        #expect(problems(.write, #"{"path": "in.csv", "dataFile": "d.qvd", "mode": "append", "format": "xlsx"}"#)
                == ["mode is 'append'; expected create or replace.", "format is 'xlsx'; expected qvd or csv."])
        #expect(problems(.reload, #"{"app": 7}"#) == ["The reload parameters' 'app' has the wrong type."])
        #expect(problems(.discover, #"{"spaceType": "personal"}"#) == ["spaceType is 'personal'; expected shared, managed or data."])
        #expect(problems(.discover, "[1]") == ["The discover parameters are not a JSON object of the documented fields."])
        #expect(problems(.read, #"{"dataFile": "d.qvd", "path": "x.csv", "feilds": ["a"]}"#)
                == ["'feilds' is not a parameter here; expected app, dataFile, fields, format, path, selections, table."])
        #expect(problems(.write, #"{"path": "in.csv", "dataFile": "d.qvd", "Mode": "replace"}"#).first?.hasPrefix("'Mode' is not a parameter here") == true)
        #expect(problems(.read, #"{"dataFile": "d.qvd", "table": "T", "path": "x.csv"}"#) == ["table goes with app; a data file's rows are read whole."])
        let stored = try TaskPayloads.checked(.write, Data(#"{"path": "in.csv", "dataFile": "d.qvd"}"#.utf8))
        let decoded = try JSONSerialization.jsonObject(with: stored) as? [String: Any]
        #expect(decoded?["mode"] as? String == "create" && decoded?["wait"] as? Bool == false && (decoded?["reload"] as? [String])?.isEmpty == true)
    }

    @Test("a read's selections are stored as given; a field selected twice, an empty field or no value is named")
    func selections() throws {
        func problems(_ selections: String) -> [String] {
            do {
                _ = try TaskPayloads.checked(.read, Data(#"{"app": "A", "table": "T", "path": "x.csv", "selections": \#(selections)}"#.utf8))
                return []
            } catch {
                return error.problems
            }
        }
        #expect(problems(#"[{"field": "Region", "values": []}]"#).first?.hasPrefix("selections: The selection in 'Region' gives no value; expected FIELD=VALUE") == true)
        #expect(problems(#"[{"field": "", "values": ["EMEA"]}]"#).first?.hasPrefix("selections: A selection names no field") == true)
        #expect(problems(#"[{"field": "Region", "values": ["EMEA"]}, {"field": "Region", "values": ["APAC"]}]"#)
                == ["selections select in 'Region' more than once; give all its values in one selection."])
        let stored = try TaskPayloads.checked(.read, Data(#"{"app": "A", "table": "T", "path": "x.csv", "selections": [{"field": "Year", "values": ["2024", "a,b"]}]}"#.utf8))
        let decoded = try JSONDecoder().decode(ReadParameters.self, from: stored)
        #expect(decoded.selections?.map(\.written) == [#"Year=2024,"a,b""#])
    }

    @Test("a folder-scoped environment resolves relative paths inside it and refuses .., absolute paths and links that lead out")
    func files() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("task-files-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try TaskFiles.inside(root.path)
        let folder = try #require(files.folder)
        #expect(try files.resolve("out/orders.csv") == folder + "/out/orders.csv")
        #expect(try files.resolve(folder + "/a.qvd") == folder + "/a.qvd")
        for outside in ["../escape.csv", "/etc/passwd", "out/../../escape.csv", folder] {
            #expect(throws: TaskParameterError.self, "\(outside)") { try files.resolve(outside) }
        }
        try FileManager.default.createSymbolicLink(atPath: folder + "/link", withDestinationPath: "/tmp")
        #expect(throws: TaskParameterError.self) { try files.resolve("link/x.csv") }
        try FileManager.default.createSymbolicLink(atPath: folder + "/dangling", withDestinationPath: folder + "/not-yet")
        #expect(throws: TaskParameterError.self, "a link to nothing could be pointed out later") { try files.resolve("dangling") }
        let refused = #expect(throws: TaskParameterError.self) { try TaskFiles.none.resolve("x.csv") }
        #expect(refused?.description.contains("--files-dir") == true)
    }

    @Test("a file to write below a file is refused in words naming the file in the way as given, in a files folder and anywhere; below a folder it is not")
    func fileBelowAFile() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("task-files-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let files = try TaskFiles.inside(root.path)
        let folder = try #require(files.folder)
        try FileManager.default.createDirectory(atPath: folder + "/out", withIntermediateDirectories: true)
        try Data("a\n".utf8).write(to: URL(fileURLWithPath: folder + "/ok.csv"))
        let inFolder = #expect(throws: TaskParameterError.self) { try files.fileToWrite("ok.csv/x.csv") }
        #expect(inFolder?.problems == ["'ok.csv' in the runtime environment's files folder is a file, so 'ok.csv/x.csv' cannot be created below it; choose a path in a folder."])
        let absolute = #expect(throws: TaskParameterError.self) { try files.fileToWrite(folder + "/ok.csv/deeper/x.csv") }
        #expect(absolute?.problems.first?.hasPrefix("'\(folder)/ok.csv' in the runtime environment's files folder is a file") == true, "\(String(describing: absolute))")
        let anywhere = #expect(throws: TaskParameterError.self) { try TaskFiles.anywhere.fileToWrite(folder + "/ok.csv/x.csv") }
        #expect(anywhere?.problems == ["'\(folder)/ok.csv' is a file, so '\(folder)/ok.csv/x.csv' cannot be created below it; choose a path in a folder."])
        #expect(try files.fileToWrite("out/new/x.csv") == folder + "/out/new/x.csv")
        #expect(try files.fileToWrite("ok.csv") == folder + "/ok.csv")
    }
}
