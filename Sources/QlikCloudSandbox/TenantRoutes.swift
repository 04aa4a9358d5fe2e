import Foundation
import Hummingbird

/// `/api/v1/tenants/me` and `/api/v1/tenants/{id}` for the caller's own tenant; administrators may rename it and set its switches.
struct TenantRoutes {
    let tenant: Tenant
    let base: BaseURL

    private struct Patch: Decodable {
        let op: String
        let path: String
        let value: JSONScalar
    }

    /// The switches `PATCH /tenants/{id}` may set, as Qlik names them.
    static let switches: Set = ["autoAssignCreateSharedSpacesRoleToProfessionals", "autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals",
                                "autoAssignDataServicesContributorRoleToProfessionals", "enableAnalyticCreation", "enableAppOpeningFeedback"]

    /// `Tenant` (qlik-api-ts tenants).
    struct TenantView: Encodable, Sendable {
        struct Links: Encodable, Sendable { let `self`: Link }
        let id: String
        let name: String
        let hostnames: [String]
        let created: Date?
        let createdByUser: String?
        let lastUpdated: Date?
        let status: String
        let datacenter: String
        let region: String
        let autoAssignCreateSharedSpacesRoleToProfessionals: Bool
        let autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: Bool
        let autoAssignDataServicesContributorRoleToProfessionals: Bool
        let enableAnalyticCreation: Bool
        let enableAppOpeningFeedback: Bool
        let links: Links
    }

    func register(on group: RouterGroup<SandboxContext>) {
        group.get("tenants/me") { request, _ in try JSONResponse.make(await view(request)) }
        group.get("tenants/:tenantId") { request, context in
            let id = try context.parameters.require("tenantId")
            // A caller reads only its own tenant; any other id is not one it can see.
            guard id == tenant.tenantID else { throw QlikErrorResponse.notFound("No tenant with id \(id); this tenant is \(tenant.tenantID).") }
            return try JSONResponse.make(await view(request))
        }
        group.patch("tenants/:tenantId") { request, context in
            let id = try context.parameters.require("tenantId")
            guard id == tenant.tenantID else { throw QlikErrorResponse.notFound("No tenant with id \(id); this tenant is \(tenant.tenantID).") }
            let user = try context.requireAdmin("Changing the tenant")
            var name: String?
            var settings: [String: Bool] = [:]
            for patch in try await JSONResponse.decode([Patch].self, from: request) {
                guard patch.op == "replace" else { throw QlikErrorResponse.badRequest("op must be replace; got '\(patch.op)'.") }
                let key = String(patch.path.dropFirst())
                switch (patch.path, patch.value) {
                case ("/name", .string(let text)) where !text.isEmpty: name = text
                case (_, .bool(let flag)) where Self.switches.contains(key): settings[key] = flag
                default:
                    throw QlikErrorResponse.badRequest("Cannot set \(patch.path) to that value: /name takes a text, /\(Self.switches.sorted().joined(separator: ", /")) take true or false.")
                }
            }
            await tenant.updateTenant(name: name, settings: settings)
            await tenant.recordAudit("com.qlik.v1.tenant.updated", source: "com.qlik/tenants", userID: user.id, data: ["id": id])
            return Response(status: .noContent)
        }
    }

    private func view(_ request: Request) async -> TenantView {
        let state = await tenant.restState
        var administrator: SandboxUser?
        if let id = await tenant.administrator?.userID { administrator = await tenant.users[id] }
        let host = request.head.authority.map { String($0.split(separator: ":").first ?? Substring($0)) } ?? tenant.configuration.host
        let flag = { (key: String) in state.tenantSettings[key] ?? (key == "enableAnalyticCreation") }
        return TenantView(id: tenant.tenantID, name: state.tenantName ?? tenant.configuration.tenantName, hostnames: [host],
                          created: administrator?.createdAt, createdByUser: administrator?.id, lastUpdated: administrator?.createdAt, status: "active",
                          datacenter: "sandbox", region: "local",
                          autoAssignCreateSharedSpacesRoleToProfessionals: flag("autoAssignCreateSharedSpacesRoleToProfessionals"),
                          autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals: flag("autoAssignPrivateAnalyticsContentCreatorRoleToProfessionals"),
                          autoAssignDataServicesContributorRoleToProfessionals: flag("autoAssignDataServicesContributorRoleToProfessionals"),
                          enableAnalyticCreation: flag("enableAnalyticCreation"), enableAppOpeningFeedback: flag("enableAppOpeningFeedback"),
                          links: TenantView.Links(self: Link(href: "\(base.origin(of: request))/api/v1/tenants/\(tenant.tenantID)")))
    }
}

extension Tenant {
    func updateTenant(name: String?, settings: [String: Bool]) {
        if let name { restState.tenantName = name }
        restState.tenantSettings.merge(settings) { _, new in new }
        persist()
    }
}
