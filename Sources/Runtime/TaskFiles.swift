import Foundation
public import QlikConnections
#if canImport(Glibc)
import Glibc
#endif

/// Where read and write tasks may touch files on a runtime environment. An
/// agent or a service keeps them in one folder, so a task queued through the
/// API cannot reach the rest of its machine; the command line, running a
/// task for the person at it, takes any path they give.
public struct TaskFiles: Sendable {
    enum Scope: Sendable {
        case anywhere
        case inside(URL)
        /// A folder of its own for each organization, below this one: a service's serverless environment serves them all.
        case perOrganization(URL)
        case none
    }

    let scope: Scope
    /// The folder as it was given, when following its links made another path of it: errors may name either.
    var aliases: [String] = []

    /// Any path; relative ones from the current directory.
    public static let anywhere = TaskFiles(scope: .anywhere)
    /// No file tasks: read and write fail, saying how to give a folder.
    public static let none = TaskFiles(scope: .none)

    /// Paths inside `folder` (relative ones from it); the folder is created when missing.
    public static func inside(_ folder: String) throws -> TaskFiles {
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        let resolved = url.resolvingSymlinksInPath()
        return TaskFiles(scope: .inside(resolved), aliases: resolved.path == url.path ? [] : [url.path])
    }

    /// Below `folder`, a folder per organization (created when first used).
    public static func perOrganization(inside folder: String) throws -> TaskFiles {
        guard case .inside(let root) = try inside(folder).scope else { return .none }
        return TaskFiles(scope: .perOrganization(root))
    }

    /// What a task of `organization` may touch.
    public func scoped(to organization: OrganizationID) throws -> TaskFiles {
        guard case .perOrganization(let root) = scope else { return self }
        let folder = root.appendingPathComponent(organization.description).path
        do {
            return try .inside(folder)
        } catch {
            // Said without the service's folder or the organization's id: the message reaches the organization's users.
            let reason = "\(error)".replacingOccurrences(of: folder, with: "the organization's files folder")
                .replacingOccurrences(of: root.path, with: "the service's files folder")
            throw TaskParameterError(["The organization's files folder cannot be made on this runtime environment: \(reason)"])
        }
    }

    /// The folder paths are kept inside, if any.
    public var folder: String? {
        if case .inside(let url) = scope { return url.path }
        return nil
    }

    /// The absolute path a task's path names here, or why it may not be used.
    public func resolve(_ path: String) throws(TaskParameterError) -> String {
        switch scope {
        case .perOrganization:
            throw TaskParameterError(["This runtime environment's files are kept per organization, and the task names none."])
        case .none:
            throw TaskParameterError(["This runtime environment reads and writes no files: start it with --files-dir FOLDER to allow it."])
        case .anywhere:
            return URL(fileURLWithPath: path).standardizedFileURL.path
        case .inside(let root):
            let candidate = (path.hasPrefix("/") ? URL(fileURLWithPath: path) : root.appendingPathComponent(path)).standardizedFileURL.path
            guard let resolved = Self.followingLinks(candidate), resolved.hasPrefix(root.path + "/") else {
                // The folder's own path is not said: it is the machine's business, and it holds the organization's id.
                throw TaskParameterError(["The path '\(path)' is outside this runtime environment's files folder; give a path relative to it, such as orders/2026.csv."])
            }
            return resolved
        }
    }

    /// The file a task reads (resolved as by ``resolve(_:)``): there, and not a folder.
    public func existingFile(_ path: String) throws(TaskParameterError) -> String {
        let resolved = try resolve(path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder) else {
            throw TaskParameterError(["There is no file \(named(path)); give the path of an existing .csv, .jsonl or .qvd file."])
        }
        guard !isFolder.boolValue else { throw TaskParameterError(["\(named(path).capitalizedFirst) is a folder; give the path of a file in it."]) }
        return resolved
    }

    /// The file a task writes (resolved as by ``resolve(_:)``): anything but a folder, and not below a file.
    public func fileToWrite(_ path: String) throws(TaskParameterError) -> String {
        let resolved = try resolve(path)
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), isFolder.boolValue {
            throw TaskParameterError(["\(named(path).capitalizedFirst) is a folder; give the path of a file to write, such as \(path)/table.csv."])
        }
        // Checked here, or making the folders on the way fails with the file system's own words (Cocoa error 516).
        if let file = fileInTheWay(of: path) {
            throw TaskParameterError(["\(named(file).capitalizedFirst) is a file, so '\(path)' cannot be created below it; choose a path in a folder."])
        }
        return resolved
    }

    /// The first part of `path`, spelt as the task gave it, that is a file where a folder must be.
    private func fileInTheWay(of path: String) -> String? {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for part in path.split(separator: "/").dropLast() {
            prefix += (prefix.isEmpty || prefix == "/" ? "" : "/") + part
            // A part outside the folder is not this task's to name; the whole path was checked to be inside.
            guard let resolved = try? resolve(prefix) else { continue }
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), !isFolder.boolValue { return prefix }
        }
        return nil
    }

    /// A path as the task gave it, and where it is looked for.
    private func named(_ path: String) -> String {
        if case .inside = scope { return "'\(path)' in the runtime environment's files folder" }
        return "'\(path)'"
    }

    /// `text` (a task's log line, result or error) with this folder's absolute
    /// path taken out: a path inside it shown relative to it, the folder itself
    /// as "the files folder". What a task says is shown to the organization's
    /// users, who have no business with where the folder is on the machine (nor
    /// with the organization id in it). Unchanged where any path may be used:
    /// the command line's own tasks, for the person at that machine.
    public func shown(_ text: String) -> String {
        guard case .inside(let root) = scope else { return text }
        var shown = text
        for folder in [root.path] + aliases {
            for form in [folder, folder.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? folder] {
                shown = shown.replacingOccurrences(of: form + "/", with: "").replacingOccurrences(of: form, with: "the files folder")
            }
        }
        return shown
    }

    /// An error's message for the organization's users: paths shown as by ``shown(_:)``, saying what they are relative to.
    public func shownError(_ message: String) -> String {
        let shown = shown(message)
        return shown == message ? message : shown + " (Paths are relative to the runtime environment's files folder.)"
    }

    /// The path with every symbolic link along it followed, as far as it exists, so a link inside cannot lead out;
    /// nil when a part of it is a link to nothing (it could be pointed anywhere later).
    static func followingLinks(_ path: String) -> String? {
        var existing = path
        var rest: [String] = []
        while existing != "/" {
            if let real = realpath(existing, nil) {
                defer { free(real) }
                let base = String(cString: real)
                return rest.reversed().reduce(base) { ($0 == "/" ? "" : $0) + "/" + $1 }
            }
            var status = stat()
            if lstat(existing, &status) == 0, status.st_mode & S_IFMT == S_IFLNK { return nil }
            rest.append((existing as NSString).lastPathComponent)
            existing = (existing as NSString).deletingLastPathComponent
        }
        return path
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
