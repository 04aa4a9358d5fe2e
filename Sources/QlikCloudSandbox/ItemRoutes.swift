import Foundation
import Hummingbird

/// `/api/v1/items`: the tenant's apps (resourceType `app`) and data files (resourceType `dataset`, subtype `qix-df`)
/// as catalog items, with Qlik's filters (resourceType, resourceId, spaceId including `personal`, spaceType,
/// ownerId, notOwnerId, createdByUserId, name, query, collectionId, noActions) and sort (+/-createdAt, name, updatedAt).
struct ItemRoutes {
    let tenant: Tenant
    let base: BaseURL

    /// An item and what the filters look at.
    private struct Entry {
        let sequence: Int
        let view: ItemView
        let spaceType: String
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("items") { request, context in
            let user = try context.requireUser()
            let paging = try Paging(request, defaultLimit: 10)
            let query = request.uri.queryParameters
            var entries = await entries(origin: base.origin(of: request), visibleTo: user)
            if let types = query["resourceType"].map({ Set($0.split(separator: ",").map(String.init)) }) {
                entries = entries.filter { types.contains($0.view.resourceType) }
            }
            if let subtypes = query["resourceSubType"].map({ Set($0.split(separator: ",").map(String.init)) }) {
                entries = entries.filter { subtypes.contains($0.view.resourceSubType) }
            }
            if let id = query["resourceId"].map(String.init) { entries = entries.filter { $0.view.resourceId == id } }
            if let ids = query["resourceIds"].map({ Set($0.split(separator: ",").map(String.init)) }) { entries = entries.filter { ids.contains($0.view.resourceId) } }
            if let id = query["id"].map(String.init) { entries = entries.filter { $0.view.id == id } }
            if let space = query["spaceId"].map(String.init) {
                entries = entries.filter { space == "personal" ? $0.view.spaceId == nil : $0.view.spaceId == space }
            }
            if let types = query["spaceType"].map({ Set($0.split(separator: ",").map(String.init)) }) {
                entries = entries.filter { types.contains($0.spaceType) }
            }
            if let shared = query["shared"].map({ $0 == "true" }) { entries = entries.filter { ($0.spaceType == "shared") == shared } }
            if let owner = query["ownerId"].map(String.init) { entries = entries.filter { $0.view.ownerId == owner } }
            if let owner = query["notOwnerId"].map(String.init) { entries = entries.filter { $0.view.ownerId != owner } }
            if let creator = query["createdByUserId"].map(String.init) { entries = entries.filter { $0.view.creatorId == creator } }
            if let creator = query["notCreatedByUserId"].map(String.init) { entries = entries.filter { $0.view.creatorId != creator } }
            if let name = query["name"].map(String.init) { entries = entries.filter { $0.view.name.caseInsensitiveCompare(name) == .orderedSame } }
            if let text = query["query"].map(String.init) {
                entries = entries.filter { $0.view.name.localizedCaseInsensitiveContains(text) || $0.view.description.localizedCaseInsensitiveContains(text) }
            }
            // The sandbox has no collections, so an item is in none of them.
            if query["collectionId"] != nil { entries = [] }
            if query["noActions"] == "true" { entries = entries.map { Entry(sequence: $0.sequence, view: $0.view.withoutActions(), spaceType: $0.spaceType) } }
            let views: [ItemView], next: String?, prev: String?
            if let sort = query["sort"].map(String.init), sort != "+createdAt", sort != "createdAt" {
                let sorted = try Self.sorted(entries, by: sort)
                let page = paging.page(Array(sorted.enumerated()), sequence: { $0.offset + 1 })
                (views, next, prev) = (page.items.map(\.element.view), page.next, page.prev)
            } else {
                // +createdAt is Qlik's default order, the order items were created in.
                let page = paging.page(entries, sequence: \.sequence)
                (views, next, prev) = (page.items.map(\.view), page.next, page.prev)
            }
            return try JSONResponse.make(ItemView.Page(data: views, links: Paging.links(request, base: base, next: next, prev: prev)))
        }
        group.get("items/:itemId") { request, context in
            let user = try context.requireUser()
            let id = try context.parameters.require("itemId")
            guard let entry = await entries(origin: base.origin(of: request), visibleTo: user).first(where: { $0.view.id == id }) else {
                throw QlikErrorResponse.notFound("No item with id \(id).")
            }
            return try JSONResponse.make(entry.view)
        }
    }

    /// The items `user` may see (ContentAccess): what is in the spaces the user sees, and of personal content only the user's own.
    private func entries(origin: String, visibleTo user: SandboxUser) async -> [Entry] {
        let (apps, files, spaces) = await (tenant.visibleApps(to: user), tenant.visibleDataFiles(to: user), tenant.spaces)
        let spaceTypes = Dictionary(spaces.map { ($0.id, $0.type) }, uniquingKeysWith: { first, _ in first })
        let appEntries = apps.map { Entry(sequence: $0.sequence, view: ItemView($0, tenantID: tenant.tenantID, origin: origin),
                                          spaceType: $0.spaceID.flatMap { spaceTypes[$0] } ?? "personal") }
        let fileEntries = files.map { Entry(sequence: $0.sequence, view: ItemView(dataset: $0, tenantID: tenant.tenantID, origin: origin),
                                            spaceType: $0.spaceID.flatMap { spaceTypes[$0] } ?? "personal") }
        return (appEntries + fileEntries).sorted { $0.sequence < $1.sequence }
    }

    private static func sorted(_ entries: [Entry], by sort: String) throws(QlikErrorResponse) -> [Entry] {
        let descending = sort.hasPrefix("-")
        let field = sort.hasPrefix("-") || sort.hasPrefix("+") ? String(sort.dropFirst()) : sort
        let key: (Entry) -> String
        switch field {
        case "name": key = { $0.view.name.lowercased() }
        case "createdAt": key = { JSONResponse.timestamp($0.view.createdAt) }
        // The sandbox does not track use, so the most recently used are the most recently changed.
        case "updatedAt", "recentlyUsed": key = { JSONResponse.timestamp($0.view.updatedAt) }
        default: throw .badRequest("sort must be createdAt, name, updatedAt or recentlyUsed, with + or -; got '\(sort)'.")
        }
        return entries.enumerated().sorted { left, right in
            let (a, b) = (key(left.element), key(right.element))
            return a == b ? left.offset < right.offset : (a < b) != descending
        }.map(\.element)
    }
}
