/// Qlik's lineage graphs (`/api/v1/lineage-graphs`).
extension QlikCloudClient {
    /// An app's QRI, as the lineage service names it.
    public static func appQRI(_ appID: String) -> String { "qri:app:sense://" + appID }

    /// The app's direct upstream lineage on every level (`level=all`, `up=1`): its tables' and fields' sources.
    public func lineageGraph(appID: String) async throws(QlikAPIError) -> LineageGraphLevels {
        try await get(LineageGraphLevels.self, "/api/v1/lineage-graphs/nodes/\(Self.escape(Self.appQRI(appID)))",
                      query: [("level", "all"), ("up", "1"), ("collapse", "true")])
    }
}
