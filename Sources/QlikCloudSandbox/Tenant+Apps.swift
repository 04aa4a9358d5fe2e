import Foundation

extension Tenant {
    /// A copy of an app: its script and script history, its sheets, charts and other objects, and its data as last loaded; owned by the copier.
    func copyApp(_ source: SandboxApp, name: String, description: String, spaceID: String?, ownerID: String) -> SandboxApp {
        let copy = addApp(name: name, description: description, spaceID: spaceID, ownerID: ownerID, script: source.script)
        guard let index = apps.firstIndex(where: { $0.id == copy.id }) else { return copy }
        apps[index].scriptVersions = source.scriptVersions
        apps[index].objects = source.objects
        if source.lastReloadTime != nil { setDataModel(copy.id, source.dataModel) }
        persist()
        return apps.first { $0.id == copy.id } ?? copy
    }
}
