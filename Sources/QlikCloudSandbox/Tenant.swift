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
    private var tokens: [String: OAuthAccessToken] = [:]
    /// Changed by the spaces resource too (Tenant+Spaces.swift).
    var spaces: [Space] = []
    /// Changed by the app resource's copy too (Tenant+Apps.swift).
    var apps: [SandboxApp] = []
    var dataFiles: [DataFile] = []
    var reloads: [Reload] = []
    var tempContents: [String: TempContent] = [:]
    /// What the REST resources keep beside the tenant's content: audit events, space assignments, API-key settings.
    var restState = TenantRESTState()
    /// Reloads waiting for the worker (``ReloadWorker``), in order.
    nonisolated let reloadQueue: AsyncStream<String>
    let reloadQueueInput: AsyncStream<String>.Continuation
    private var sequence = 0
    private var rateWindows: [String: RateWindow] = [:]
    private var dice: FaultDice
    nonisolated let clock: @Sendable () -> Date
    /// Where the tenant persists itself (`--data DIR`); nil keeps it in memory only.
    private let store: TenantStore?
    private var models: [String: TenantSnapshot.ModelRecord] = [:]
    /// Each app's field indexes for the engine, built on first use and dropped when its data changes.
    var columnIndexes: [String: [String: ColumnIndex]] = [:]
    var tablesAndKeysCache: [String: (tables: RawJSON, keys: RawJSON)] = [:]

    func forgetEngineCaches(_ appID: String) {
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

    func persist(_ kind: TenantStore.ContentKind, id: String, content: [UInt8]?) {
        guard let store else { return }
        do {
            if let content { try store.write(kind, id: id, content) } else { try store.remove(kind, id: id) }
        } catch {
            logger.error("The sandbox cannot save \(kind.rawValue) \(id) under \(store.directory.path): \(error.localizedDescription)")
        }
    }

    /// Writes an app's new model beside the state, then the state that points to it, then drops the previous model.
    func persistModel(of appID: String, _ model: DataModel?) {
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

    func nextSequence() -> Int {
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
    func issueToken(clientID: String, clientSecret: String, scope: String?) throws(QlikErrorResponse) -> OAuthAccessToken {
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
        let token = OAuthAccessToken(token: "sbx_at_" + Identifier.secret(), userID: client.userID, clientID: clientID,
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


    /// The DataFiles connection every file without an explicit one belongs to.
    let personalConnectionID: String
}

extension Duration {
    var seconds: TimeInterval {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
