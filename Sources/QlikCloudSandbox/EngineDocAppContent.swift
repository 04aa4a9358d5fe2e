import Foundation

/// The Doc class's methods on the app's content: its layout and properties,
/// its generic objects, master items, variables and bookmarks (persistent and
/// per session), its lineage, connections, script and locale.
extension EngineConversation {
    /// The answer of a Doc method on the app's content; nil for a method that is not one of them.
    mutating func docAppContentMethod(_ method: String, _ params: Params) async throws -> [String: Any]? {
        switch method {
        case "GetAppLayout":
            return ["qLayout": await appLayout()]
        case "GetAppProperties":
            return ["qProp": await appProperties()]
        case "SetAppProperties":
            guard let properties = params.object(0, "qProp") else { throw RPCError.missingProperties }
            if openDoc?.isSessionApp == true {
                sessionAppObjects.appProperties = JSONValue(any: properties)
            } else {
                await tenant.setAppProperties(appID, JSONValue(any: properties))
            }
            changed.insert(Self.docHandle)
            return [:]
        case "GetAllInfos":
            return ["qInfos": await reachableObjects().items.map(Self.info)]
        case "GetObjects":
            let options = JSONValue(any: params.object(0, "qOptions") ?? [:])
            let types = Set(options["qTypes"].map(Self.strings) ?? []).subtracting([""])
            let includeSession = options["qIncludeSessionObjects"]?.bool ?? false
            let listed = await reachableObjects().items.filter {
                $0.engineClass == .genericObject && (types.isEmpty || types.contains($0.type))
                    && (includeSession || sessionObjects.object($0.id) == nil)
            }
            return ["qList": listed.map { containerEntry($0, data: options["qData"]) }]
        case "GetObject":
            return ["qReturn": try await openExisting(params.string(0, "qId") ?? "", class: .genericObject)]
        case "CreateObject":
            return try await create(params.object(0, "qProp"), type: "", class: .genericObject)
        case "DestroyObject", "DestroyDimension", "DestroyMeasure":
            let id = params.string(0, "qId") ?? ""
            let expected: AppObjectClass = method == "DestroyObject" ? .genericObject : method == "DestroyDimension" ? .genericDimension : .genericMeasure
            guard let object = await persistentObjects().object(id), object.engineClass == expected else { return ["qSuccess": false] }
            return ["qSuccess": await destroyPersistent(id)]
        case "CreateSessionObject":
            var object = newObject(params.object(0, "qProp") ?? [:], type: "x")
            object.ownerID = userID
            if sessionObjects.object(object.id) != nil { _ = destroySessionObject(object.id) }
            sessionObjects.put(object)
            let opened = openHandle(on: object)
            guard let handle = opened["qHandle"] as? Int else { return ["qReturn": opened] }
            do {
                // A definition the engine cannot compute is refused here, so the client learns it at once.
                let resolved = MasterItems(await reachableObjects()).resolving(object.properties).dictionary
                _ = try await dataLayout(for: resolved, id: object.id, type: object.type, handle: handle)
            } catch {
                _ = destroySessionObject(object.id)
                throw error
            }
            return ["qReturn": opened]
        case "DestroySessionObject":
            return ["qSuccess": destroySessionObject(params.string(0, "qId") ?? "")]
        case "GetDimension":
            return ["qReturn": try await openExisting(params.string(0, "qId") ?? "", class: .genericDimension)]
        case "CreateDimension":
            return try await create(params.object(0, "qProp"), type: "dimension", class: .genericDimension)
        case "GetMeasure":
            return ["qReturn": try await openExisting(params.string(0, "qId") ?? "", class: .genericMeasure)]
        case "CreateMeasure":
            return try await create(params.object(0, "qProp"), type: "measure", class: .genericMeasure)
        case "GetVariableById":
            return ["qReturn": try await openExisting(params.string(0, "qId") ?? "", class: .genericVariable)]
        case "GetVariableByName":
            let name = params.string(0, "qName") ?? ""
            guard let variable = await variable(named: name) else { throw RPCError.variableNotFound(name) }
            return ["qReturn": openHandle(on: variable)]
        case "GetVariable":
            let name = params.string(0, "qName") ?? ""
            guard let variable = await variable(named: name) else { throw RPCError.variableNotFound(name) }
            return ["qReturn": openHandle(on: variable, as: .variable(id: variable.id))]
        case "CreateSessionVariable":
            guard let properties = params.object(0, "qProp") else { throw RPCError.missingProperties }
            var variable = newObject(properties, type: "variable")
            let name = variable.properties["qName"]?.string ?? ""
            guard !name.isEmpty else { throw RPCError(code: 9, parameter: "qName", message: "Empty parameters: a variable needs qName") }
            guard await self.variable(named: name) == nil else { throw RPCError(code: 3, parameter: name, message: "A variable named \(name) already exists") }
            var members = variable.properties.members
            members["qInfo"] = .object(["qId": .string(variable.id), "qType": .string("variable")])
            variable.properties = .object(members)
            sessionObjects.put(variable)
            markObjectListsChanged()
            return ["qReturn": openHandle(on: variable)]
        case "DestroySessionVariable", "DestroySessionVariableById":
            let id = params.string(0, "qId") ?? ""
            guard sessionObjects.object(id)?.engineClass == .genericVariable else { return ["qSuccess": false] }
            markObjectListsChanged()
            return ["qSuccess": destroySessionObject(id)]
        case "DestroySessionVariableByName":
            let name = params.string(0, "qName") ?? ""
            guard let variable = sessionObjects.items.first(where: { $0.engineClass == .genericVariable && $0.properties["qName"]?.string == name }) else {
                return ["qSuccess": false]
            }
            markObjectListsChanged()
            return ["qSuccess": destroySessionObject(variable.id)]
        case "GetBookmark":
            return ["qReturn": try await openExisting(params.string(0, "qId") ?? "", class: .genericBookmark)]
        case "GetBookmarks":
            let options = JSONValue(any: params.object(0, "qOptions") ?? [:])
            let types = Set(options["qTypes"].map(Self.strings) ?? []).subtracting([""])
            let bookmarks = await reachableObjects().items.filter { $0.engineClass == .genericBookmark && (types.isEmpty || types.contains($0.type)) }
            return ["qList": bookmarks.map { containerEntry($0, data: options["qData"]) }]
        case "ApplyBookmark", "ApplyAndVerifyBookmark":
            let id = params.string(0, "qId") ?? ""
            guard let bookmark = await appObject(id), bookmark.engineClass == .genericBookmark else { throw RPCError.objectNotFound(id) }
            let (applied, warnings) = await apply(bookmark)
            if method == "ApplyBookmark" { return ["qSuccess": applied] }
            return ["qResult": ["qApplySuccess": applied, "qWarnings": warnings]]
        case "GetLineage":
            return ["qLineage": ScriptSources.lineage(of: await currentScript()).map { ["qDiscriminator": $0.discriminator, "qStatement": $0.statement] }]
        case "GetConnections":
            return ["qConnections": await connections()]
        case "GetConnection":
            let id = params.string(0, "qConnectionId") ?? ""
            guard let connection = await connections().first(where: { $0["qId"] as? String == id }) else {
                throw RPCError(code: 2, parameter: id, message: "Connection not found: GetConnections lists the app's connections")
            }
            return ["qConnection": connection]
        case "GetScriptEx":
            return ["qScript": ["qScript": await currentScript(), "qMeta": ["qName": ""], "qIsLocked": false]]
        case "DoReloadEx":
            let reloaded = try await docMethod("DoReload", Params(nil))
            let succeeded = reloaded["qReturn"] as? Bool ?? false
            markAllObjectsChanged()
            let rows = await model().tables.reduce(0) { $0 + $1.rowCount }
            return ["qResult": ["qSuccess": succeeded, "qScriptLogFile": "", "qEndedWithMemoryConstraint": false,
                                "qNbrOfLoadedRows": succeeded ? rows : 0, "qNbrOfStoredRows": 0]]
        case "GetLocaleInfo":
            return ["qReturn": Self.localeInfo(year: Calendar(identifier: .gregorian).component(.year, from: tenant.clock()))]
        default:
            return nil
        }
    }

    /// Opens a handle on the object with this id, which must be of the class the method reads.
    private mutating func openExisting(_ id: String, class expected: AppObjectClass) async throws -> [String: Any] {
        guard let object = await appObject(id), object.engineClass == expected else { throw RPCError.objectNotFound(id) }
        return openHandle(on: object)
    }

    /// A new persistent object from a client's properties: `qInfo` and a handle on it, as CreateObject answers.
    private mutating func create(_ properties: [String: Any]?, type: String, class expected: AppObjectClass) async throws -> [String: Any] {
        guard let properties else { throw RPCError.missingProperties }
        let object = newObject(properties, type: type)
        guard !object.type.isEmpty, object.engineClass == expected else {
            throw RPCError(code: 8, parameter: "qInfo.qType",
                           message: "Invalid parameters: qInfo.qType '\(object.type)' does not fit this method (dimension, measure, variable and bookmark have their own)")
        }
        try await addPersistent(object)
        return ["qInfo": Self.info(object), "qReturn": openHandle(on: object)]
    }

    func variable(named name: String) async -> AppObject? {
        await reachableObjects().items.first { $0.engineClass == .genericVariable && $0.properties["qName"]?.string == name }
    }

    private func currentScript() async -> String {
        if openDoc?.isSessionApp == true { return sessionScript }
        return await tenant.app(appID)?.script ?? ""
    }

    /// `NxAppProperties`: the app's title and last reload with the thumbnail it keeps (other keys a client sets are kept, not shown:
    /// the schema's NxAppProperties has no others).
    func appProperties() async -> [String: Any] {
        let kept: JSONValue
        var properties: [String: Any] = [:]
        if openDoc?.isSessionApp == true {
            kept = sessionAppObjects.appProperties
            properties["qTitle"] = kept["qTitle"]?.string ?? ""
        } else {
            let app = await tenant.app(appID)
            kept = app?.objects.appProperties ?? AppObjects().appProperties
            properties["qTitle"] = app?.name ?? ""
            properties["qLastReloadTime"] = app?.lastReloadTime.map(Self.timestamp) ?? ""
        }
        properties["qThumbnail"] = ["qUrl": kept["qThumbnail"]?["qUrl"]?.string ?? ""]
        properties["qHasSectionAccess"] = false
        properties["qUsage"] = "ANALYTICS"
        return properties
    }

    /// `NxAppLayout`: the app's properties as the engine shows them, with its state.
    func appLayout() async -> [String: Any] {
        var layout = await appProperties()
        let model = await model()
        let app = openDoc?.isSessionApp == true ? nil : await tenant.app(appID)
        layout["qFileName"] = openDoc?.id ?? appID
        layout["qLastReloadTime"] = layout["qLastReloadTime"] ?? ""
        layout["qModified"] = false
        layout["qHasScript"] = !(await currentScript()).isEmpty
        layout["qStateNames"] = [String]()
        var meta: [String: Any] = ["privileges": ["read", "update", "delete", "reload", "export", "exportappdata"]]
        if let app {
            meta["createdDate"] = Self.timestamp(app.createdAt)
            meta["modifiedDate"] = Self.timestamp(app.updatedAt)
        }
        layout["qMeta"] = meta
        layout["qLocaleInfo"] = Self.localeInfo(year: Calendar(identifier: .gregorian).component(.year, from: tenant.clock()))
        layout["qHasData"] = !model.tables.isEmpty
        layout["qReadOnly"] = false
        layout["qIsOpenedWithoutData"] = false
        layout["qIsSessionApp"] = openDoc?.isSessionApp == true
        layout["qProhibitBinaryLoad"] = false
        layout["qIsBDILiveMode"] = false
        layout["qIsDirectQueryMode"] = false
        layout["qUnsupportedFeatures"] = [String]()
        layout["qHasSectionAccess"] = nil
        return layout
    }

    /// The tenant's DataFiles connections the app's script can read, as `Connection` structs.
    private func connections() async -> [[String: Any]] {
        let spaces = await tenant.spaces
        let created = Self.timestamp(Date(timeIntervalSince1970: 0))
        return await tenant.dataFileConnections().map { connection in
            let space = connection.spaceID.flatMap { id in spaces.first { $0.id == id }?.name }
            let name = space.map { "\($0):DataFiles" } ?? "DataFiles"
            return ["qId": connection.id, "qName": name, "qConnectionString": "qix-datafiles.exe?path=lib://\(name)",
                    "qType": "qix-datafiles.exe", "qModifiedDate": created, "qMeta": ["qName": name], "qLogOn": "LOG_ON_SERVICE_USER"]
        }
    }

    /// `LocaleInfo` of the sandbox's engine: English (United States).
    static func localeInfo(year: Int) -> [String: Any] {
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return [
            "qDecimalSep": ".", "qThousandSep": ",", "qListSep": ",", "qMoneyDecimalSep": ".", "qMoneyThousandSep": ",",
            "qCurrentYear": year, "qMoneyFmt": "$#,##0.00;-$#,##0.00", "qTimeFmt": "h:mm:ss TT", "qDateFmt": "M/D/YYYY",
            "qTimestampFmt": "M/D/YYYY h:mm:ss[.fff] TT",
            "qCalendarStrings": [
                "qDayNames": days, "qMonthNames": months,
                "qLongDayNames": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
                "qLongMonthNames": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                                    "November", "December"],
            ],
            "qFirstWeekDay": 6, "qBrokenWeeks": true, "qReferenceDay": 0, "qFirstMonthOfYear": 1, "qCollation": "en-US",
            "qNumericalAbbreviation": "3:k;6:M;9:G;12:T;15:P;18:E;21:Z;24:Y;-3:m;-6:μ;-9:n;-12:p;-15:f;-18:a;-21:z;-24:y",
        ]
    }
}

extension EngineConversation.RPCError {
    static func variableNotFound(_ name: String) -> Self { .init(code: 2, parameter: name, message: "Variable not found") }
}
