import Foundation
import Hummingbird

/// The REST resources under /api/v1, as Qlik Cloud serves them; one file per resource.
struct RESTRoutes {
    let tenant: Tenant
    let base: BaseURL

    func register(on group: RouterGroup<SandboxContext>) {
        UserRoutes(tenant: tenant, base: base).register(on: group)
        SpaceRoutes(tenant: tenant, base: base).register(on: group)
        ItemRoutes(tenant: tenant, base: base).register(on: group)
        AppRoutes(tenant: tenant, base: base).register(on: group)
        AppObjectRoutes(tenant: tenant).register(on: group)
        APIKeyRoutes(tenant: tenant, base: base).register(on: group)
        TenantRoutes(tenant: tenant, base: base).register(on: group)
        AuditRoutes(tenant: tenant, base: base).register(on: group)
        DataFileRoutes(tenant: tenant, base: base).register(on: group)
        DataSetRoutes(tenant: tenant, base: base).register(on: group)
        ReloadRoutes(tenant: tenant, base: base).register(on: group)
        TempContentRoutes(tenant: tenant, base: base).register(on: group)
        LineageGraphRoutes(tenant: tenant).register(on: group)
        registerUnknownPaths(on: group)
    }

    /// Any other path under /api/v1 is a 404 in Qlik's error shape (after authentication, as Qlik checks the token first).
    private func registerUnknownPaths(on group: RouterGroup<SandboxContext>) {
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            group.on("**", method: method) { request, _ -> Response in
                throw QlikErrorResponse.notFound("No resource at \(request.method.rawValue) \(request.uri.path) in this tenant's API.")
            }
        }
    }
}
