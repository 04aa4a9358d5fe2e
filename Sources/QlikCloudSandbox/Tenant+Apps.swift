import Foundation

/// The tenant's spaces, apps and the objects inside apps.
extension Tenant {
    // MARK: Spaces, apps, data files

    func addSpace(name: String, type: String, description: String = "", ownerID: String) -> Space {
        let now = clock()
        let space = Space(sequence: nextSequence(), id: Identifier.objectID(), name: name, type: type, description: description,
                          ownerID: ownerID, createdAt: now, updatedAt: now)
        spaces.append(space)
        persist()
        return space
    }

    func addApp(name: String, description: String = "", spaceID: String?, ownerID: String, script: String = "") -> SandboxApp {
        let now = clock()
        let app = SandboxApp(sequence: nextSequence(), id: Identifier.uuid(), itemID: Identifier.objectID(), name: name, description: description,
                             spaceID: spaceID, ownerID: ownerID, createdAt: now, updatedAt: now, script: script)
        apps.append(app)
        persist()
        return app
    }

    func app(_ id: String) -> SandboxApp? { apps.first { $0.id == id } }

    func deleteApp(_ id: String) -> Bool {
        guard let index = apps.firstIndex(where: { $0.id == id }) else { return false }
        apps.remove(at: index)
        forgetEngineCaches(id)
        persistModel(of: id, nil)
        return true
    }

    func updateApp(_ id: String, name: String?, description: String?) -> SandboxApp? {
        guard let index = apps.firstIndex(where: { $0.id == id }) else { return nil }
        if let name { apps[index].name = name }
        if let description { apps[index].description = description }
        apps[index].updatedAt = clock()
        persist()
        return apps[index]
    }

    func setScript(_ appID: String, script: String, message: String, userID: String) -> ScriptVersion? {
        guard let index = apps.firstIndex(where: { $0.id == appID }) else { return nil }
        let version = ScriptVersion(id: Identifier.objectID(), script: script, message: message, modifiedTime: clock(), modifierID: userID)
        apps[index].script = script
        apps[index].scriptVersions.append(version)
        apps[index].updatedAt = clock()
        persist()
        return version
    }

    /// `GetTablesAndKeys` of an app, serialized once per data model.
    func tablesAndKeys(appID: String) -> (tables: RawJSON, keys: RawJSON) {
        if let cached = tablesAndKeysCache[appID] { return cached }
        let answer = EngineViews.tablesAndKeys(app(appID)?.dataModel ?? DataModel())
        let cached = (RawJSON(buffer: JSONWriter.serializeToBuffer(answer["qtr"] ?? [Any]())),
                      RawJSON(buffer: JSONWriter.serializeToBuffer(answer["qk"] ?? [Any]())))
        tablesAndKeysCache[appID] = cached
        return cached
    }

    /// The engine's index of one field of an app's table, built once per data model.
    func columnIndex(appID: String, table: String, field: String) -> ColumnIndex {
        let key = table + "\u{0}" + field
        if let cached = columnIndexes[appID]?[key] { return cached }
        let column = app(appID)?.dataModel.table(table).flatMap { table in table.fields.firstIndex(of: field).map { table.columns[$0] } } ?? []
        let index = ColumnIndex(column)
        columnIndexes[appID, default: [:]][key] = index
        return index
    }

    /// Replaces an app's data, as a successful reload does (the engine's `DoReload`, or data loaded at seeding).
    func setDataModel(_ appID: String, _ model: DataModel) {
        forgetEngineCaches(appID)
        guard let index = apps.firstIndex(where: { $0.id == appID }) else { return }
        let now = clock()
        apps[index].dataModel = model
        apps[index].lastReloadTime = now
        apps[index].lastReload = ReloadMark(endTime: now, succeeded: true)
        persistModel(of: appID, model)
    }

    /// Notes a reload that failed: the app keeps its data and its last successful reload time; its item says the last reload failed.
    func markReloadFailed(_ appID: String) {
        guard let index = apps.firstIndex(where: { $0.id == appID }) else { return }
        apps[index].lastReload = ReloadMark(endTime: clock(), succeeded: false)
        persist()
    }

    // MARK: App objects

    /// Replaces all of an app's objects and app properties, as seeding from a fixture or the default tenant does.
    @discardableResult
    func setAppObjects(_ appID: String, _ objects: AppObjects) -> Bool {
        updateObjects(of: appID) { $0 = objects }
    }

    /// Adds an object to an app, or replaces the one with its id.
    @discardableResult
    func putAppObject(_ appID: String, _ object: AppObject) -> Bool {
        updateObjects(of: appID) { $0.put(object) }
    }

    /// Removes an object and its descendants from an app; the ids removed (none when the app or object does not exist).
    func removeAppObject(_ appID: String, id: String) -> [String] {
        var removed: [String] = []
        updateObjects(of: appID) { removed = $0.remove(id) }
        return removed
    }

    /// Sets the app's own properties; a `qTitle` renames the app and a `description` describes it, as Qlik Cloud's app properties do.
    @discardableResult
    func setAppProperties(_ appID: String, _ properties: JSONValue) -> Bool {
        guard let index = apps.firstIndex(where: { $0.id == appID }) else { return false }
        var rest = properties.members
        if let title = rest.removeValue(forKey: "qTitle")?.string, !title.isEmpty { apps[index].name = title }
        if let description = rest["description"]?.string { apps[index].description = description }
        for derived in ["qLastReloadTime", "qSavedInProductVersion", "qMigrationHash"] { rest[derived] = nil }
        apps[index].objects.appProperties = .object(rest)
        apps[index].updatedAt = clock()
        persist()
        return true
    }

    @discardableResult
    private func updateObjects(of appID: String, _ change: (inout AppObjects) -> Void) -> Bool {
        guard let index = apps.firstIndex(where: { $0.id == appID }) else { return false }
        change(&apps[index].objects)
        apps[index].updatedAt = clock()
        persist()
        return true
    }

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
