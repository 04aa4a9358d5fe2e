import Foundation
import Hummingbird

/// `/api/v1/data-stores` (one per DataFiles connection), their data assets and data sets (one per data file),
/// and `/api/v1/data-sets/{id}` with the file's schema; page-numbered as Qlik's data catalog pages (`page` from 0, `limit`).
struct DataSetRoutes {
    let tenant: Tenant
    let base: BaseURL

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("data-stores") { request, _ in
            let stores = await stores()
            return try page(try Self.sorted(stores.map(\.view), request), request)
        }
        group.get("data-stores/:storeId") { _, context in
            let id = try context.parameters.require("storeId")
            guard let store = await stores().first(where: { $0.view.id == id }) else { throw QlikErrorResponse.notFound("No data store with id \(id).") }
            return try JSONResponse.make(store.view)
        }
        group.get("data-stores/:storeId/data-assets") { request, context in
            let ids = Set(try context.parameters.require("storeId").split(separator: ",").map(String.init))
            let chosen = await stores().filter { ids.contains($0.view.id) }
            guard !chosen.isEmpty else { throw QlikErrorResponse.notFound("No data store with id \(ids.sorted().joined(separator: ", ")).") }
            let files = await tenant.visibleDataFiles(to: try context.requireUser())
            let assets = chosen.flatMap { store in files.filter { $0.connectionID == store.view.id }.map { DataSetViews.Asset($0, store: store.info, tenantID: tenant.tenantID) } }
            return try page(assets, request)
        }
        group.get("data-stores/:storeId/data-assets/:assetIds/data-sets") { request, context in
            let storeIDs = Set(try context.parameters.require("storeId").split(separator: ",").map(String.init))
            let assetIDs = Set(try context.parameters.require("assetIds").split(separator: ",").map(String.init))
            let chosen = await stores().filter { storeIDs.contains($0.view.id) }
            let files = await tenant.visibleDataFiles(to: try context.requireUser())
            let sets = chosen.flatMap { store in
                files.filter { $0.connectionID == store.view.id && assetIDs.contains($0.id) }.map { DataSetViews.DataSet($0, store: store.info, tenantID: tenant.tenantID) }
            }
            guard !sets.isEmpty else { throw QlikErrorResponse.notFound("No data asset \(assetIDs.sorted().joined(separator: ", ")) in data store \(storeIDs.sorted().joined(separator: ", ")).") }
            return try page(sets, request)
        }
        group.get("data-sets/:dataSetId") { _, context in
            let id = try context.parameters.require("dataSetId")
            // Another user's personal file, or one in a space the caller does not see, is no data set to it (ContentAccess).
            let user = try context.requireUser()
            guard let file = await tenant.visibleDataFiles(to: user).first(where: { $0.id == id }), let store = await stores().first(where: { $0.view.id == file.connectionID }) else {
                throw QlikErrorResponse.notFound("No data set with id \(id).")
            }
            return try JSONResponse.make(DataSetViews.DataSet(file, store: store.info, tenantID: tenant.tenantID))
        }
    }

    private func stores() async -> [(view: DataSetViews.Store, info: DataSetViews.StoreInfo)] {
        let connections = await tenant.dataFileConnections()
        let spaces = Dictionary(await tenant.spaces.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let administrator = await tenant.administrator?.userID ?? ""
        let created = spaces.values.map(\.createdAt).min() ?? tenant.clock()
        return connections.map { connection in
            let space = connection.spaceID.flatMap { spaces[$0] }
            let owner = space?.ownerID ?? administrator
            let view = DataSetViews.Store(id: connection.id, name: connection.name, technicalName: connection.name, type: "qix-datafiles",
                                          spaceId: connection.spaceID, ownerId: owner, tenantId: tenant.tenantID, createdBy: owner,
                                          createdTime: space?.createdAt ?? created, lastModifiedTime: space?.updatedAt ?? created, version: 1)
            return (view, DataSetViews.StoreInfo(id: connection.id, name: connection.name, type: "qix-datafiles"))
        }
    }

    /// `sort=name,-createdTime`: fields in order, `-` for descending.
    private static func sorted(_ stores: [DataSetViews.Store], _ request: Request) throws(QlikErrorResponse) -> [DataSetViews.Store] {
        guard let sort = request.uri.queryParameters["sort"].map(String.init), !sort.isEmpty else { return stores }
        var keys: [(key: (DataSetViews.Store) -> String, descending: Bool)] = []
        for field in sort.split(separator: ",") {
            let descending = field.hasPrefix("-")
            switch field.drop(while: { $0 == "-" || $0 == "+" }) {
            case "name": keys.append(({ $0.name }, descending))
            case "type": keys.append(({ $0.type }, descending))
            case "createdTime": keys.append(({ JSONResponse.timestamp($0.createdTime) }, descending))
            case "lastModifiedTime": keys.append(({ JSONResponse.timestamp($0.lastModifiedTime) }, descending))
            default: throw .badRequest("sort takes name, type, createdTime, lastModifiedTime (prefix - to descend); got '\(field)'.")
            }
        }
        return stores.sorted { left, right in
            for (key, descending) in keys where key(left) != key(right) { return (key(left) < key(right)) != descending }
            return false
        }
    }

    private func page<Item: Encodable & Sendable>(_ items: [Item], _ request: Request) throws -> Response {
        let query = request.uri.queryParameters
        let limit = try APIKeyRoutes.limit(query["limit"])
        let number: Int
        if let raw = query["page"] {
            guard let value = Int(String(raw)), value >= 0 else { throw QlikErrorResponse.badRequest("page must be a whole number from 0; got '\(raw)'.") }
            number = value
        } else {
            number = 0
        }
        let pages = max(1, (items.count + limit - 1) / limit)
        let slice = Array(items.dropFirst(number * limit).prefix(limit))
        let origin = base.origin(of: request)
        let kept = query.filter { $0.key != "page" }.map { "\($0.key)=\(Query.escape(String($0.value)))" }
        func link(_ page: Int) -> Link { Link(href: origin + request.uri.path + "?" + (kept + ["page=\(page)"]).joined(separator: "&")) }
        let links = DataSetViews.Page<Item>.Links(self: Link(href: origin + request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")), first: link(0),
                                                  last: link(pages - 1), next: number + 1 < pages ? link(number + 1) : nil,
                                                  prev: number > 0 ? link(min(number - 1, pages - 1)) : nil)
        return try JSONResponse.make(DataSetViews.Page(data: slice, limit: limit, page: number, pages: pages, total: items.count, links: links))
    }
}
