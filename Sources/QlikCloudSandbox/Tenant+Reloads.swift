import Foundation

/// The tenant's reloads: queued, run by the worker, cancelled, finished into the app's data model.
extension Tenant {
    // MARK: Reloads

    /// Queues a reload of the app's current script; the worker runs it.
    func queueReload(appID: String, userID: String, partial: Bool) throws(QlikErrorResponse) -> Reload {
        guard apps.contains(where: { $0.id == appID }) else { throw .notFound("No app with id \(appID).") }
        let reload = Reload(sequence: nextSequence(), id: Identifier.objectID(), appID: appID, userID: userID, partial: partial,
                            status: "QUEUED", creationTime: clock())
        reloads.append(reload)
        reloadQueueInput.yield(reload.id)
        persist()
        return reload
    }

    func reload(_ id: String) -> Reload? { reloads.first { $0.id == id } }

    /// Asks an active reload to stop: a queued one is canceled at once, a running one after its current step.
    func cancelReload(_ id: String) throws(QlikErrorResponse) {
        guard let index = reloads.firstIndex(where: { $0.id == id }) else { throw .notFound("No reload with id \(id).") }
        switch reloads[index].status {
        case "QUEUED":
            reloads[index].status = "CANCELED"
            reloads[index].endTime = clock()
        case "RELOADING":
            reloads[index].status = "CANCELING"
        default:
            throw QlikErrorResponse(.conflict, title: "Conflict", detail: "The reload is \(reloads[index].status) and cannot be canceled.")
        }
        persist()
    }

    /// Marks a queued reload as running and hands back what it needs; nil when it was canceled meanwhile.
    func startReload(_ id: String) -> (script: String, files: DataFileLibrary)? {
        guard let index = reloads.firstIndex(where: { $0.id == id }), reloads[index].status == "QUEUED",
              let app = apps.first(where: { $0.id == reloads[index].appID }) else { return nil }
        reloads[index].status = "RELOADING"
        reloads[index].startTime = clock()
        persist()
        return (app.script, dataFileLibrary(appSpaceID: app.spaceID, readerID: reloads[index].userID))
    }

    /// Runs an app's script at once and records it as the worker records a queued reload
    /// (a reload, its log, the app's data and reload times): for seeding, so an app has data
    /// and a reload history from the start. Nil when there is no such app.
    func reloadNow(appID: String, userID: String) -> Reload? {
        guard apps.contains(where: { $0.id == appID }) else { return nil }
        let queued = Reload(sequence: nextSequence(), id: Identifier.objectID(), appID: appID, userID: userID, partial: false,
                            status: "QUEUED", creationTime: clock())
        reloads.append(queued)
        guard let work = startReload(queued.id) else { return nil }
        finishReload(queued.id, outcome: LoadScript(dataFile: work.files.content).run(work.script))
        return reload(queued.id)
    }

    /// The data files a reload of an app in `appSpaceID` (nil: personal or a session app) reads, run as `readerID` (the user
    /// who started the reload, whose personal space `lib://DataFiles/` names): the reader's own personal files and the files
    /// of the spaces the reader sees (ContentAccess), so a script cannot read another user's personal file by naming it.
    func dataFileLibrary(appSpaceID: String?, readerID: String) -> DataFileLibrary {
        let visibleSpaces = users[readerID].map(visibleSpaceIDs(to:)) ?? []
        let readable = dataFiles.filter { $0.spaceID.map(visibleSpaces.contains) ?? ($0.ownerID == readerID) }
        return DataFileLibrary(files: readable.map { DataFileLibrary.File(name: $0.name, spaceID: $0.spaceID, content: $0.content) },
                               spaceNames: Dictionary(spaces.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first }), appSpaceID: appSpaceID)
    }

    /// Records a reload's outcome; a successful one replaces the app's data.
    func finishReload(_ id: String, outcome: Result<(DataModel, log: [String]), LoadScript.Failure>) {
        guard let index = reloads.firstIndex(where: { $0.id == id }) else { return }
        let now = clock()
        reloads[index].endTime = now
        if reloads[index].status == "CANCELING" {
            reloads[index].status = "CANCELED"
            reloads[index].log = "Started loading data\nThe reload was canceled."
            persist()
            return
        }
        switch outcome {
        case .success(let (model, log)):
            reloads[index].status = "SUCCEEDED"
            reloads[index].log = log.joined(separator: "\n")
            if let app = apps.firstIndex(where: { $0.id == reloads[index].appID }) {
                forgetEngineCaches(apps[app].id)
                apps[app].dataModel = model
                apps[app].lastReloadTime = now
                apps[app].lastReload = ReloadMark(endTime: now, succeeded: true)
                persistModel(of: apps[app].id, model)
            }
        case .failure(let failure):
            if let app = apps.firstIndex(where: { $0.id == reloads[index].appID }) {
                apps[app].lastReload = ReloadMark(endTime: now, succeeded: false)
            }
            reloads[index].status = "FAILED"
            reloads[index].errorCode = "EngineGenericError"
            reloads[index].errorMessage = failure.message
            reloads[index].log = [
                "Started loading data",
                "The following error occurred:",
                failure.message,
                "The error occurred here:",
                "Line \(failure.line): \(failure.statement)",
                "Data has not been loaded. Please correct the error and try loading again.",
            ].joined(separator: "\n")
        }
        persist()
    }
}
