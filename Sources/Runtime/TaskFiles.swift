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

    /// Any path; relative ones from the current directory.
    public static let anywhere = TaskFiles(scope: .anywhere)
    /// No file tasks: read and write fail, saying how to give a folder.
    public static let none = TaskFiles(scope: .none)

    /// Paths inside `folder` (relative ones from it); the folder is created when missing.
    public static func inside(_ folder: String) throws -> TaskFiles {
        let url = URL(fileURLWithPath: folder).standardizedFileURL
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return TaskFiles(scope: .inside(url.resolvingSymlinksInPath()))
    }

    /// Below `folder`, a folder per organization (created when first used).
    public static func perOrganization(inside folder: String) throws -> TaskFiles {
        guard case .inside(let root) = try inside(folder).scope else { return .none }
        return TaskFiles(scope: .perOrganization(root))
    }

    /// What a task of `organization` may touch.
    public func scoped(to organization: OrganizationID) throws -> TaskFiles {
        guard case .perOrganization(let root) = scope else { return self }
        return try .inside(root.appendingPathComponent(organization.description).path)
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
                throw TaskParameterError(["The path '\(path)' is outside this runtime environment's files folder (\(root.path)); give a path inside it."])
            }
            return resolved
        }
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
