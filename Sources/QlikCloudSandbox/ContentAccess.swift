import Foundation

/// Who sees what, as Qlik Cloud answers it. A personal space is its owner's alone: nobody else, tenant
/// administrators included, lists or opens its apps and data files. A shared, managed or data space is seen
/// by its owner, by the users assigned to it, and by the administrators of its kind (TenantAdmin every space,
/// AnalyticsAdmin shared and managed ones, DataAdmin data ones); what a space holds is seen by whoever sees
/// the space. Content a caller cannot see answers as if it did not exist (404), so its id tells nothing.
extension SandboxUser {
    /// Sees every space of this type without being its owner or a member.
    func seesEverySpace(ofType type: String) -> Bool {
        if isTenantAdmin { return true }
        let roles = Set(roles ?? [])
        switch type {
        case "shared", "managed": return roles.contains("AnalyticsAdmin")
        case "data": return roles.contains("DataAdmin")
        default: return false
        }
    }
}

extension Tenant {
    /// The ids of the spaces `user` sees: computed once per request, so filtering a long list stays linear.
    func visibleSpaceIDs(to user: SandboxUser) -> Set<String> {
        let member = Set(restState.assignments.filter { $0.type == "user" && $0.assigneeID == user.id }.map(\.spaceID))
        return Set(spaces.filter { user.seesEverySpace(ofType: $0.type) || $0.ownerID == user.id || member.contains($0.id) }.map(\.id))
    }

    /// The space if `user` sees it; 404 as for a space that does not exist otherwise.
    func visibleSpace(_ id: String, to user: SandboxUser) throws(QlikErrorResponse) -> Space {
        guard let space = space(id), visibleSpaceIDs(to: user).contains(id) else { throw .notFound("No space with id \(id).") }
        return space
    }

    /// Whether content in `spaceID` (nil: its owner's personal space) owned by `ownerID` is seen by `user`.
    nonisolated static func sees(spaceID: String?, ownerID: String, user: SandboxUser, visibleSpaces: Set<String>) -> Bool {
        spaceID.map(visibleSpaces.contains) ?? (ownerID == user.id)
    }

    /// The apps `user` sees, in the tenant's order.
    func visibleApps(to user: SandboxUser) -> [SandboxApp] {
        let visible = visibleSpaceIDs(to: user)
        return apps.filter { Self.sees(spaceID: $0.spaceID, ownerID: $0.ownerID, user: user, visibleSpaces: visible) }
    }

    /// The data files `user` sees, in the tenant's order.
    func visibleDataFiles(to user: SandboxUser) -> [DataFile] {
        let visible = visibleSpaceIDs(to: user)
        return dataFiles.filter { Self.sees(spaceID: $0.spaceID, ownerID: $0.ownerID, user: user, visibleSpaces: visible) }
    }

    /// The app if `user` sees it; 404 as for an app that does not exist otherwise (Qlik does not tell another user's personal app from none).
    func visibleApp(_ id: String, to user: SandboxUser) throws(QlikErrorResponse) -> SandboxApp {
        guard let app = app(id), Self.sees(spaceID: app.spaceID, ownerID: app.ownerID, user: user, visibleSpaces: visibleSpaceIDs(to: user)) else {
            throw .notFound("No app with id \(id).")
        }
        return app
    }

    /// The app if the user with this id sees it (the engine knows its caller by id); nil otherwise.
    func visibleApp(_ id: String, toUserID userID: String) -> SandboxApp? {
        guard let user = users[userID], let app = app(id),
              Self.sees(spaceID: app.spaceID, ownerID: app.ownerID, user: user, visibleSpaces: visibleSpaceIDs(to: user)) else { return nil }
        return app
    }

    /// Whether the engine's OpenDoc opens the app for this user id. The socket's user was authenticated and checked at the upgrade
    /// (EngineRoutes); a session built in-process for an id the tenant does not know (the engine's own tests) has nobody to check
    /// against, so only the upgrade guards it.
    func engineMayOpen(_ id: String, userID: String) -> Bool {
        guard app(id) != nil else { return false }
        return users[userID] == nil || visibleApp(id, toUserID: userID) != nil
    }

    /// The data file if `user` sees it; 404 as for a file that does not exist otherwise.
    func visibleDataFile(_ id: String, to user: SandboxUser) throws(QlikErrorResponse) -> DataFile {
        guard let file = dataFile(id), Self.sees(spaceID: file.spaceID, ownerID: file.ownerID, user: user, visibleSpaces: visibleSpaceIDs(to: user)) else {
            throw .notFound("No data file with id \(id).")
        }
        return file
    }
}
