/// The data files one reload can read, found as Qlik finds a load script's
/// `lib://` paths: `lib://<space>:DataFiles/<name>` in the DataFiles
/// connection of the space with that name; `lib://:DataFiles/<name>` in the
/// app's own space; `lib://DataFiles/<name>` in the app's own space, then the
/// personal space, then (a leniency of the sandbox, for clients that name no
/// space) any other space.
struct DataFileLibrary: Sendable {
    struct File: Sendable {
        let name: String
        /// nil: the personal space's DataFiles connection.
        let spaceID: String?
        let content: [UInt8]
    }

    let files: [File]
    /// Space names by id.
    let spaceNames: [String: String]
    /// The reloading app's space; nil for a personal or session app.
    let appSpaceID: String?

    func content(_ reference: LoadScript.DataFileReference) -> [UInt8]? { file(reference)?.content }

    /// The file a script's path names.
    func file(_ reference: LoadScript.DataFileReference) -> File? {
        let named = files.filter { $0.name == reference.name }
        switch reference.space {
        case nil:
            let own = named.first { $0.spaceID == appSpaceID }
            return own ?? named.first { $0.spaceID == nil } ?? named.first
        case ""?:
            return named.first { $0.spaceID == appSpaceID }
        case let space?:
            // Space names are unique in a tenant, and Qlik matches connection names without regard to case.
            let ids = Set(spaceNames.filter { $0.value.lowercased() == space.lowercased() }.keys)
            return named.first { $0.spaceID.map(ids.contains) == true }
        }
    }
}
