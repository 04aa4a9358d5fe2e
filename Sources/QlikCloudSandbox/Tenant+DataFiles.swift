import Foundation

/// The tenant's data files, their connections and quotas, and temporary contents.
extension Tenant {
    /// The DataFiles connections: the personal one, and one per shared, managed or data space.
    func dataFileConnections() -> [(id: String, name: String, spaceID: String?)] {
        [(personalConnectionID, "DataFiles", nil)] + spaces.map { ("datafiles-" + $0.id, "DataFiles", $0.id) }
    }

    /// Stores an uploaded file; names are unique per connection (409), sizes bounded by the quota (413).
    func addDataFile(name: String, content: [UInt8], ownerID: String, connectionID: String?, large: Bool) throws(QlikErrorResponse) -> DataFile {
        let connection = connectionID ?? personalConnectionID
        guard let target = dataFileConnections().first(where: { $0.id == connection }) else {
            throw QlikErrorResponse(.badRequest, code: "DF-011", title: "Bad Request", detail: "No DataFiles connection with id \(connection).")
        }
        try checkQuota(content.count, large: large)
        guard !dataFiles.contains(where: { $0.name == name && $0.connectionID == connection }) else {
            throw QlikErrorResponse(.conflict, code: "DF-006", title: "Conflict", detail: "A data file named '\(name)' already exists.")
        }
        let now = clock()
        let file = DataFile(sequence: nextSequence(), id: Identifier.uuid(), name: name, content: content, ownerID: ownerID, spaceID: target.spaceID,
                            connectionID: connection, createdAt: now, modifiedAt: now)
        dataFiles.append(file)
        persist(.dataFiles, id: file.id, content: content)
        persist()
        return file
    }

    func replaceDataFile(_ id: String, name: String?, content: [UInt8], large: Bool) throws(QlikErrorResponse) -> DataFile {
        guard let index = dataFiles.firstIndex(where: { $0.id == id }) else { throw .notFound("No data file with id \(id).") }
        try checkQuota(content.count, large: large)
        if let name, name != dataFiles[index].name,
           dataFiles.contains(where: { $0.name == name && $0.connectionID == dataFiles[index].connectionID }) {
            throw QlikErrorResponse(.conflict, code: "DF-006", title: "Conflict", detail: "A data file named '\(name)' already exists.")
        }
        if let name { dataFiles[index].name = name }
        dataFiles[index].content = content
        dataFiles[index].modifiedAt = clock()
        persist(.dataFiles, id: id, content: content)
        persist()
        return dataFiles[index]
    }

    func dataFile(_ id: String) -> DataFile? { dataFiles.first { $0.id == id } }

    /// Stores a file the tenant's own seeding made (a sample file, a generated app's QVD): no upload
    /// quota applies, and a name already taken in the connection gets a number (`Name-2.qvd`).
    func addSeededDataFile(name: String, content: [UInt8], ownerID: String, spaceID: String?) -> DataFile {
        let connection = spaceID.map { "datafiles-" + $0 } ?? personalConnectionID
        let taken = Set(dataFiles.filter { $0.connectionID == connection }.map(\.name))
        let base = (name as NSString).deletingPathExtension, suffix = (name as NSString).pathExtension
        var unique = name, number = 1
        while taken.contains(unique) {
            number += 1
            unique = "\(base)-\(number)" + (suffix.isEmpty ? "" : ".\(suffix)")
        }
        let now = clock()
        let file = DataFile(sequence: nextSequence(), id: Identifier.uuid(), name: unique, content: content, ownerID: ownerID, spaceID: spaceID,
                            connectionID: connection, createdAt: now, modifiedAt: now)
        dataFiles.append(file)
        persist(.dataFiles, id: file.id, content: content)
        persist()
        return file
    }

    func deleteDataFile(_ id: String) -> Bool {
        guard let index = dataFiles.firstIndex(where: { $0.id == id }) else { return false }
        dataFiles.remove(at: index)
        persist()
        persist(.dataFiles, id: id, content: nil)
        return true
    }

    private func checkQuota(_ size: Int, large: Bool) throws(QlikErrorResponse) {
        let limit = large ? configuration.maxLargeFileSize : configuration.maxFileSize
        guard size <= limit else {
            throw QlikErrorResponse(.contentTooLarge, code: "DF-002", title: "Request Entity Too Large",
                                    detail: "The file has \(size) bytes; the limit is \(limit).")
        }
    }

    // MARK: Temporary contents

    func addTempContent(filename: String, content: [UInt8], ttl: TimeInterval) throws(QlikErrorResponse) -> TempContent {
        try checkQuota(content.count, large: true)
        let item = TempContent(id: Identifier.objectID(), filename: filename, content: content, expiresAt: clock().addingTimeInterval(ttl))
        tempContents[item.id] = item
        persist(.tempContents, id: item.id, content: content)
        persist()
        return item
    }

    /// A temporary content that has not expired: 404 if unknown, 410 once gone.
    func tempContent(_ id: String) throws(QlikErrorResponse) -> TempContent {
        guard let item = tempContents[id] else { throw .notFound("No temporary content with id \(id).") }
        guard item.expiresAt > clock() else {
            throw QlikErrorResponse(.gone, title: "Gone", detail: "The temporary content expired at \(JSONResponse.timestamp(item.expiresAt)).")
        }
        return item
    }
}
