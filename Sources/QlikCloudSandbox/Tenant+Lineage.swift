import Foundation

extension Tenant {
    /// The apps (all, or the one named) with the data files their reloads read, and every data file:
    /// what ``LineageGraph`` is built from, outside the actor.
    func lineageInputs(appID: String?, visibleTo user: SandboxUser) -> (apps: [(app: SandboxApp, library: DataFileLibrary)], files: [DataFile]) {
        // Only what the caller sees (ContentAccess): another user's personal app or file is no node of its graph.
        let visible = visibleApps(to: user)
        let chosen = appID.map { id in visible.filter { $0.id == id } } ?? visible
        return (chosen.map { ($0, dataFileLibrary(appSpaceID: $0.spaceID, readerID: $0.ownerID)) }, visibleDataFiles(to: user))
    }
}

extension LineageGraph {
    /// The tenant's graph as `user` sees it: of one app and what it reads (`appID`), or of every app and data file.
    static func of(_ tenant: Tenant, appID: String? = nil, visibleTo user: SandboxUser) async -> LineageGraph {
        let (apps, files) = await tenant.lineageInputs(appID: appID, visibleTo: user)
        let inputs = apps.map { app, library in
            let sources: [LoadScript.TableSource]
            switch LoadScript(dataFile: library.content).sources(app.script) {
            case .success(let traced): sources = traced
            // A script that cannot run has no lineage (Qlik's graph has none until a reload succeeds): the app stands alone.
            case .failure: sources = []
            }
            var found: [Int: DataFile] = [:]
            for (index, source) in sources.enumerated() {
                guard let reference = source.file, let file = library.file(reference) else { continue }
                found[index] = files.first { $0.name == file.name && $0.spaceID == file.spaceID }
            }
            return AppInput(app: app, sources: sources, files: found)
        }
        return LineageGraph(apps: inputs, datasets: appID == nil ? files : [])
    }
}
