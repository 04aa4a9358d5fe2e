import Foundation
import TestProcesses
import Testing

/// A user's clone has nothing beside it: these pin that the fixture tests need
/// only what git tracks, so a test cannot pass here and fail for a newcomer.
@Suite("a copy of the tracked files stands alone")
struct FreshCopyTests {
    @Test("the fixture tests pass on a copy of `git ls-files` in an empty folder, with nothing beside it")
    func fixturesInACopy() throws {
        // A new folder of its own: nothing is beside the copy, as nothing is beside a user's clone.
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("fresh-copy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let copy = parent.appendingPathComponent("QlikConnector")
        let tracked = try Self.trackedFiles()
        for file in tracked {
            let target = copy.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Fixtures.repository.appendingPathComponent(file), to: target)
        }
        let needed = ["NOTICE.md"] + Fixtures.qlikWritten + ["pyqvd525_damaged.qvd", "pyqvd885_damaged.qvd"]
        let untracked = needed.filter { !tracked.contains("Tests/Fixtures/qvd/\($0)") }
        try #require(untracked.isEmpty, "not tracked by git, so a clone would lack them: \(untracked)")
        for name in Fixtures.qlikWritten {
            try QVDFixtureTests.expectComplete(Fixtures.path(name, in: copy))
        }
        for name in ["pyqvd525_damaged.qvd", "pyqvd885_damaged.qvd"] {
            QVDFixtureTests.expectDamaged(Fixtures.path(name, in: copy))
        }
    }

    @Test("no tracked source, test, script or CI file names the developers' shared folder outside the repository")
    func nothingReadsShared() throws {
        let folders = ["Sources/", "Tests/", "scripts/", ".ci/", "Benchmarks/", "Package.swift"]
        let offenders = try Self.trackedFiles().filter { file in folders.contains { file.hasPrefix($0) } }.filter { file in
            let data = try Data(contentsOf: Fixtures.repository.appendingPathComponent(file))
            return data.range(of: Data(Self.outside.utf8)) != nil
        }
        #expect(offenders.isEmpty, "these name \(Self.outside), which a user's clone does not have: \(offenders)")
    }

    /// Built from parts so that this file does not name it itself.
    static let outside = ".." + "/" + "shared"

    static func trackedFiles() throws -> [String] {
        let git = try ChildProcess.runWaiting("/usr/bin/env", ["git", "-C", Fixtures.repository.path, "ls-files", "-z"])
        guard git.status == 0 else { throw GitFailure(status: git.status) }
        let data = git.standardOutput
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    struct GitFailure: Error, CustomStringConvertible {
        let status: Int32
        var description: String { "git ls-files exited \(status): the tests must run in a git checkout of the project" }
    }
}
