import Foundation
import Hummingbird

/// `/api/v1/apps/{appId}/objects/{objectId}/actions/change-owner`: the one app-object path of Qlik's REST API;
/// the objects themselves are read and changed through the engine.
struct AppObjectRoutes {
    let tenant: Tenant

    private struct UpdateOwner: Decodable { let ownerId: String? }

    /// `NxAppObject`
    struct AppObjectView: Encodable, Sendable {
        struct Attributes: Encodable, Sendable {
            let id: String
            let name: String
            let description: String
            let objectType: String
            let genericType: String
            let ownerId: String
            let createdAt: Date
            let updatedAt: Date
            /// Empty while the object is not published, as Qlik answers.
            let publishedAt: String
            let approved: Bool
        }
        let attributes: Attributes
        let privileges: [String]

        init(_ object: AppObject) {
            let genericType: String
            switch object.engineClass {
            case .genericObject: genericType = "genericObject"
            case .genericDimension: genericType = "genericDimension"
            case .genericMeasure: genericType = "genericMeasure"
            case .genericVariable: genericType = "genericVariable"
            case .genericBookmark: genericType = "genericBookmark"
            }
            attributes = Attributes(id: object.id, name: object.title, description: object.properties.value(at: "/qMetaDef/description")?.string ?? "",
                                    objectType: object.type, genericType: genericType, ownerId: object.ownerID, createdAt: object.createdAt,
                                    updatedAt: object.modifiedAt, publishedAt: object.published ? JSONResponse.timestamp(object.modifiedAt) : "",
                                    approved: false)
            privileges = ["read", "update", "delete", "publish", "change_owner"]
        }
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.post("apps/:appId/objects/:objectId/actions/change-owner") { request, context in
            let user = try context.requireUser()
            let appID = try context.parameters.require("appId"), objectID = try context.parameters.require("objectId")
            let app = try await tenant.visibleApp(appID, to: user)
            guard var object = app.objects.object(objectID) else { throw QlikErrorResponse.notFound("App \(appID) has no object \(objectID).") }
            guard user.isTenantAdmin || app.ownerID == user.id || object.ownerID == user.id else {
                throw QlikErrorResponse.forbidden("Changing the owner of object \(objectID) needs its owner, the app's owner or the TenantAdmin role.")
            }
            let body = try await JSONResponse.decode(UpdateOwner.self, from: request)
            guard let owner = body.ownerId, await tenant.users[owner] != nil else {
                throw QlikErrorResponse.badRequest("ownerId must name a user of this tenant; got \(body.ownerId ?? "none").")
            }
            object.ownerID = owner
            object.modifiedAt = tenant.clock()
            _ = await tenant.putAppObject(appID, object)
            return try JSONResponse.make(AppObjectView(object))
        }
    }
}
