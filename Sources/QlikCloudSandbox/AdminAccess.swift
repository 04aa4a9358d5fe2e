import Hummingbird

extension SandboxUser {
    /// Holds Qlik's TenantAdmin role (users of tenants saved before users had roles were all administrators).
    var isTenantAdmin: Bool { (roles ?? ["TenantAdmin"]).contains("TenantAdmin") }
}

extension SandboxContext {
    /// The caller, if a tenant administrator; 403 in Qlik's error shape otherwise.
    func requireAdmin(_ what: String) throws(QlikErrorResponse) -> SandboxUser {
        let user = try requireUser()
        guard user.isTenantAdmin else { throw QlikErrorResponse.forbidden("\(what) needs the TenantAdmin role; the caller does not have it.") }
        return user
    }
}

extension QlikErrorResponse {
    static func forbidden(_ detail: String) -> QlikErrorResponse {
        QlikErrorResponse(.forbidden, title: "Forbidden", detail: detail)
    }

    static func conflict(_ detail: String) -> QlikErrorResponse {
        QlikErrorResponse(.conflict, title: "Conflict", detail: detail)
    }
}
