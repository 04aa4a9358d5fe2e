import Foundation
import HTTPTypes
import Logging

/// The state of one sandbox tenant, shared by every request: an actor, so
/// concurrent requests see it change one step at a time.
actor Tenant {
    nonisolated let configuration: SandboxConfiguration
    nonisolated let tenantID: String
    private(set) var users: [String: SandboxUser] = [:]
    /// User ids in the order the users were added (several may share a creation time).
    private var userOrder: [String] = []
    /// By token; read and changed by the api-keys resource (Tenant+APIKeys.swift).
    var apiKeys: [String: APIKey] = [:]
    private var clients: [String: OAuthClient] = [:]
    private var tokens: [String: AccessToken] = [:]
    /// Changed by the spaces resource too (Tenant+Spaces.swift).
    var spaces: [Space] = []
    /// Changed by the app resource's copy too (Tenant+Apps.swift).
    var apps: [SandboxApp] = []
    private(set) var dataFiles: [DataFile] = []
    private(set) var reloads: [Reload] = []
    private var tempContents: [String: TempContent] = [:]
    /// What the REST resources keep beside the tenant's content: audit events, space assignments, API-key settings.
    var restState = TenantRESTState()
    /// Reloads waiting for the worker (``ReloadWorker``), in order.
    nonisolated let reloadQueue: AsyncStream<String>
    private let reloadQueueInput: AsyncStream<String>.Continuation
    private var sequence = 0
    private var rateWindows: [String: RateWindow] = [:]
    private var dice: FaultDice
    nonisolated let clock: @Sendable () -> Date
    /// Where the tenant persists itself (`--data DIR`); nil keeps it in memory only.
    private let store: TenantStore?
    private var models: [String: TenantSnapshot.ModelRecord] = [:]
    /// Each app's field indexes for the engine, built on first use and dropped when its data changes.
    private var columnIndexes: [String: [String: ColumnIndex]] = [:]
    private var tablesAndKeysCache: [String: (tables: RawJSON, keys: RawJSON)] = [:]

    private func forgetEngineCaches(_ appID: String) {
        columnIndexes[appID] = nil
        tablesAndKeysCache[appID] = nil
    }
    /// The user, key and client the sandbox prints at start.
    private(set) var administrator: TenantSnapshot.Administrator?
    let logger = Logger(label: "qlik-cloud-sandbox")

    typealias Saved = (snapshot: TenantSnapshot, contents: [TenantStore.ContentKind: [String: [UInt8]]], models: [String: DataModel])

    /// A new tenant, or with `saved` one as a previous run left it in `store`.
    /// Reloads that were running when it stopped failed with it; queued ones are queued again.
    init(configuration: SandboxConfiguration, clock: @escaping @Sendable () -> Date = { Date() }, store: TenantStore? = nil, restoring saved: Saved? = nil) {
        self.configuration = configuration
        self.clock = clock
        self.store = store
        (reloadQueue, reloadQueueInput) = AsyncStream.makeStream(of: String.self)
        dice = FaultDice(seed: configuration.faults.seed)
        guard let saved else {
            tenantID = Identifier.objectID()
            personalConnectionID = Identifier.uuid()
            return
        }
        let snapshot = saved.snapshot
        tenantID = snapshot.tenantID
        personalConnectionID = snapshot.personalConnectionID
        sequence = snapshot.sequence
        administrator = snapshot.administrator
        users = Dictionary(snapshot.users.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        userOrder = snapshot.users.map(\.id)
        apiKeys = Dictionary(snapshot.apiKeys.map { ($0.token, $0) }, uniquingKeysWith: { first, _ in first })
        clients = Dictionary(snapshot.clients.map { ($0.clientID, $0) }, uniquingKeysWith: { first, _ in first })
        tokens = Dictionary(snapshot.tokens.map { ($0.token, $0) }, uniquingKeysWith: { first, _ in first })
        spaces = snapshot.spaces
        apps = snapshot.apps.map { app in
            var app = app
            app.dataModel = saved.models[app.id] ?? DataModel()
            return app
        }
        models = snapshot.models
        dataFiles = snapshot.dataFiles.map { file in
            var file = file
            file.content = saved.contents[.dataFiles]?[file.id] ?? []
            return file
        }
        tempContents = Dictionary(snapshot.tempContents.map { item in
            var item = item
            item.content = saved.contents[.tempContents]?[item.id] ?? []
            return (item.id, item)
        }, uniquingKeysWith: { first, _ in first })
        let restored = snapshot.reloads.map { reload in
            var reload = reload
            if reload.status == "RELOADING" || reload.status == "CANCELING" {
                reload.status = "FAILED"
                reload.endTime = reload.startTime
                reload.errorCode = "EngineGenericError"
                reload.errorMessage = "The sandbox stopped during the reload."
                reload.log = "Started loading data\nThe sandbox stopped during the reload.\nData has not been loaded."
            }
            return reload
        }
        reloads = restored
        restState = snapshot.rest ?? TenantRESTState()
        for reload in restored where reload.status == "QUEUED" { reloadQueueInput.yield(reload.id) }
    }

    // MARK: Persistence

    func setAdministrator(_ administrator: TenantSnapshot.Administrator) {
        self.administrator = administrator
        persist()
    }

    /// The administrator's user and OAuth client, if the tenant holds them and the key.
    func administratorCredentials(_ administrator: TenantSnapshot.Administrator) -> (user: SandboxUser, client: OAuthClient)? {
        guard let user = users[administrator.userID], let client = clients[administrator.clientID], apiKeys[administrator.apiKeyToken] != nil else {
            return nil
        }
        return (user, client)
    }

    func snapshot() -> TenantSnapshot {
        TenantSnapshot(tenantID: tenantID, personalConnectionID: personalConnectionID, sequence: sequence, administrator: administrator,
                       users: usersByCreation,
                       apiKeys: apiKeys.values.sorted { $0.id < $1.id }, clients: clients.values.sorted { $0.clientID < $1.clientID },
                       tokens: tokens.values.sorted { $0.token < $1.token }, spaces: spaces, apps: apps, dataFiles: dataFiles, reloads: reloads,
                       tempContents: tempContents.values.sorted { $0.id < $1.id }, models: models, rest: restState)
    }

    /// Saves the state after a change. A sandbox that cannot write its
    /// directory keeps serving from memory and says so on every failed save.
    func persist() {
        guard let store else { return }
        do {
            try store.save(snapshot())
        } catch {
            logger.error("The sandbox cannot save its tenant under \(store.directory.path): \(error.localizedDescription)")
        }
    }

    private func persist(_ kind: TenantStore.ContentKind, id: String, content: [UInt8]?) {
        guard let store else { return }
        do {
            if let content { try store.write(kind, id: id, content) } else { try store.remove(kind, id: id) }
        } catch {
            logger.error("The sandbox cannot save \(kind.rawValue) \(id) under \(store.directory.path): \(error.localizedDescription)")
        }
    }

    /// Writes an app's new model beside the state, then the state that points to it, then drops the previous model.
    private func persistModel(of appID: String, _ model: DataModel?) {
        guard let store else { return }
        do {
            if let model {
                models[appID] = try store.write(model: model, appID: appID, generation: (models[appID]?.generation ?? 0) + 1)
            } else {
                models[appID] = nil
            }
            try store.save(snapshot())
            try store.removeModels(appID: appID, keeping: models[appID]?.generation)
        } catch {
            logger.error("The sandbox cannot save the data model of app \(appID) under \(store.directory.path): \(error)")
        }
    }

    enum InjectedFault: Equatable { case serverError(HTTPResponse.Status), rateLimited }

    /// Draws whether this request fails on purpose.
    func drawFault() -> InjectedFault? {
        let faults = configuration.faults
        guard faults.serverErrorShare > 0 || faults.rateLimitShare > 0 else { return nil }
        let roll = dice.roll()
        if roll < faults.serverErrorShare { return .serverError(dice.roll() < 0.5 ? .badGateway : .serviceUnavailable) }
        if roll < faults.serverErrorShare + faults.rateLimitShare { return .rateLimited }
        return nil
    }

    private func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    // MARK: Identity

    func addUser(name: String, email: String, status: String = "active", roles: [String]? = nil) -> SandboxUser {
        let user = SandboxUser(id: Identifier.objectID(), subject: "auth0|\(Identifier.hex(bytes: 12))", name: name, email: email,
                               status: status, createdAt: clock(), roles: roles)
        users[user.id] = user
        userOrder.append(user.id)
        persist()
        return user
    }

    /// The users in the order they were added.
    var usersByCreation: [SandboxUser] { userOrder.compactMap { users[$0] } }

    func setUserStatus(_ userID: String, _ status: String) {
        users[userID]?.status = status
        persist()
    }

    func addAPIKey(for userID: String, token: String? = nil, expiresAt: Date? = nil) -> APIKey {
        // Qlik's API keys are JWTs; the sandbox's are opaque, which clients must treat them as anyway.
        let key = APIKey(id: Identifier.objectID(), token: token ?? "sbx_" + Identifier.secret(), userID: userID, expiresAt: expiresAt, revoked: false)
        apiKeys[key.token] = key
        persist()
        return key
    }

    func revokeAPIKey(_ token: String) {
        apiKeys[token]?.revoked = true
        persist()
    }

    func addOAuthClient(for userID: String, clientID: String? = nil, clientSecret: String? = nil, enabled: Bool = true) -> OAuthClient {
        let client = OAuthClient(clientID: clientID ?? Identifier.hex(bytes: 16), clientSecret: clientSecret ?? Identifier.secret(), userID: userID,
                                 enabled: enabled)
        clients[client.clientID] = client
        persist()
        return client
    }

    func setClientEnabled(_ clientID: String, _ enabled: Bool) {
        clients[clientID]?.enabled = enabled
        persist()
    }

    /// The client-credentials grant: a bearer token for the client's user.
    func issueToken(clientID: String, clientSecret: String, scope: String?) throws(QlikErrorResponse) -> AccessToken {
        guard let client = clients[clientID], client.clientSecret == clientSecret else {
            throw QlikErrorResponse(.unauthorized, code: "OAUTH-1", title: "invalid_client", detail: "Client authentication failed: unknown client or wrong secret.")
        }
        guard client.enabled else {
            throw QlikErrorResponse(.forbidden, code: "OAUTH-3", title: "unauthorized_client", detail: "The client is not enabled for machine-to-machine access.")
        }
        guard users[client.userID]?.status == "active" else {
            throw QlikErrorResponse(.forbidden, code: "OAUTH-4", title: "access_denied", detail: "The client's user is disabled.")
        }
        let now = clock()
        let token = AccessToken(token: "sbx_at_" + Identifier.secret(), userID: client.userID, clientID: clientID,
                                expiresAt: now.addingTimeInterval(configuration.accessTokenLifetime.seconds),
                                validUntil: configuration.faults.tokenValidity.map { now.addingTimeInterval($0.seconds) },
                                scope: scope ?? "user_default", revoked: false)
        tokens[token.token] = token
        persist()
        return token
    }

    /// Revokes an access token; unknown tokens are ignored, as RFC 7009 asks.
    func revoke(token: String) {
        tokens[token]?.revoked = true
        apiKeys[token]?.revoked = true
        persist()
    }

    /// The user a bearer token stands for, or why it is refused.
    func authenticate(bearer: String) throws(QlikErrorResponse) -> SandboxUser {
        let now = clock()
        let userID: String
        if let token = tokens[bearer] {
            guard !token.revoked else { throw .unauthorized("The access token has been revoked.") }
            guard token.expiresAt > now, (token.validUntil ?? token.expiresAt) > now else { throw .unauthorized("The access token has expired.") }
            userID = token.userID
        } else if let key = apiKeys[bearer] {
            guard !key.revoked else { throw .unauthorized("The API key has been revoked.") }
            if let expiry = key.expiresAt, expiry <= now { throw .unauthorized("The API key has expired.") }
            userID = key.userID
        } else {
            throw .unauthorized("The bearer token is not valid for this tenant.")
        }
        guard let user = users[userID] else { throw .unauthorized("The token's user no longer exists.") }
        guard user.status == "active" else {
            throw QlikErrorResponse(.forbidden, title: "Forbidden", detail: "The user is \(user.status).")
        }
        return user
    }

    // MARK: Rate limits

    enum Tier: Int, Sendable { case one = 1, two = 2 }

    /// Counts a request against the caller's budget: the tier's per-minute limit, evaluated over five minutes as Qlik does.
    func charge(_ caller: String, tier: Tier) throws(QlikErrorResponse) {
        let key = "\(caller)#\(tier.rawValue)"
        let limit = tier == .one ? configuration.tier1PerMinute : configuration.tier2PerMinute
        let minutes = RateWindow.seconds / 60
        let (budget, overflow) = limit.multipliedReportingOverflow(by: minutes)
        if let wait = rateWindows[key, default: RateWindow()].admit(at: clock(), budget: overflow ? .max : budget) {
            throw QlikErrorResponse(.tooManyRequests, title: "API rate limit reached.",
                                    detail: "Tier \(tier.rawValue) allows \(limit) requests per minute, evaluated over \(minutes) minutes; retry after \(wait) seconds.",
                                    retryAfterSeconds: wait)
        }
    }

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

    /// The DataFiles connections: the personal one, and one per shared, managed or data space.
    func dataFileConnections() -> [(id: String, name: String, spaceID: String?)] {
        [(personalConnectionID, "DataFiles", nil)] + spaces.map { ("datafiles-" + $0.id, "DataFiles", $0.id) }
    }

    /// Stores an uploaded file; names are unique per connection (409), sizes bounded by the quota (413).
    func addDataFile(name: String, content: [UInt8], ownerID: String, connectionID: String?, large: Bool) throws(QlikErrorResponse) -> DataFile {
        let connection = connectionID ?? personalConnectionID
        guard let target = dataFileConnections().first(where: { $0.id == connection }) else {
            throw QlikErrorResponse(.badRequest, code: "DF-011", title: "Bad Request", detail: "No DataFiles connection with id \(connection).")
        }
        try checkQuota(content.count, large: large)
        guard !dataFiles.contains(where: { $0.name == name && $0.connectionID == connection }) else {
            throw QlikErrorResponse(.conflict, code: "DF-006", title: "Conflict", detail: "A data file named '\(name)' already exists.")
        }
        let now = clock()
        let file = DataFile(sequence: nextSequence(), id: Identifier.uuid(), name: name, content: content, ownerID: ownerID, spaceID: target.spaceID,
                            connectionID: connection, createdAt: now, modifiedAt: now)
        dataFiles.append(file)
        persist(.dataFiles, id: file.id, content: content)
        persist()
        return file
    }

    func replaceDataFile(_ id: String, name: String?, content: [UInt8], large: Bool) throws(QlikErrorResponse) -> DataFile {
        guard let index = dataFiles.firstIndex(where: { $0.id == id }) else { throw .notFound("No data file with id \(id).") }
        try checkQuota(content.count, large: large)
        if let name, name != dataFiles[index].name,
           dataFiles.contains(where: { $0.name == name && $0.connectionID == dataFiles[index].connectionID }) {
            throw QlikErrorResponse(.conflict, code: "DF-006", title: "Conflict", detail: "A data file named '\(name)' already exists.")
        }
        if let name { dataFiles[index].name = name }
        dataFiles[index].content = content
        dataFiles[index].modifiedAt = clock()
        persist(.dataFiles, id: id, content: content)
        persist()
        return dataFiles[index]
    }

    func dataFile(_ id: String) -> DataFile? { dataFiles.first { $0.id == id } }

    /// Stores a file the tenant's own seeding made (a sample file, a generated app's QVD): no upload
    /// quota applies, and a name already taken in the connection gets a number (`Name-2.qvd`).
    func addSeededDataFile(name: String, content: [UInt8], ownerID: String, spaceID: String?) -> DataFile {
        let connection = spaceID.map { "datafiles-" + $0 } ?? personalConnectionID
        let taken = Set(dataFiles.filter { $0.connectionID == connection }.map(\.name))
        let base = (name as NSString).deletingPathExtension, suffix = (name as NSString).pathExtension
        var unique = name, number = 1
        while taken.contains(unique) {
            number += 1
            unique = "\(base)-\(number)" + (suffix.isEmpty ? "" : ".\(suffix)")
        }
        let now = clock()
        let file = DataFile(sequence: nextSequence(), id: Identifier.uuid(), name: unique, content: content, ownerID: ownerID, spaceID: spaceID,
                            connectionID: connection, createdAt: now, modifiedAt: now)
        dataFiles.append(file)
        persist(.dataFiles, id: file.id, content: content)
        persist()
        return file
    }

    func deleteDataFile(_ id: String) -> Bool {
        guard let index = dataFiles.firstIndex(where: { $0.id == id }) else { return false }
        dataFiles.remove(at: index)
        persist()
        persist(.dataFiles, id: id, content: nil)
        return true
    }

    private func checkQuota(_ size: Int, large: Bool) throws(QlikErrorResponse) {
        let limit = large ? configuration.maxLargeFileSize : configuration.maxFileSize
        guard size <= limit else {
            throw QlikErrorResponse(.contentTooLarge, code: "DF-002", title: "Request Entity Too Large",
                                    detail: "The file has \(size) bytes; the limit is \(limit).")
        }
    }

    // MARK: Temporary contents

    func addTempContent(filename: String, content: [UInt8], ttl: TimeInterval) throws(QlikErrorResponse) -> TempContent {
        try checkQuota(content.count, large: true)
        let item = TempContent(id: Identifier.objectID(), filename: filename, content: content, expiresAt: clock().addingTimeInterval(ttl))
        tempContents[item.id] = item
        persist(.tempContents, id: item.id, content: content)
        persist()
        return item
    }

    /// A temporary content that has not expired: 404 if unknown, 410 once gone.
    func tempContent(_ id: String) throws(QlikErrorResponse) -> TempContent {
        guard let item = tempContents[id] else { throw .notFound("No temporary content with id \(id).") }
        guard item.expiresAt > clock() else {
            throw QlikErrorResponse(.gone, title: "Gone", detail: "The temporary content expired at \(JSONResponse.timestamp(item.expiresAt)).")
        }
        return item
    }

    /// The DataFiles connection every file without an explicit one belongs to.
    let personalConnectionID: String
}

extension Duration {
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
