import Foundation

extension Tenant {
    /// The roles a space of this type can assign, as Qlik's spaces offer them.
    nonisolated static func assignableRoles(spaceType: String) -> [String] {
        switch spaceType {
        case "shared": ["consumer", "dataconsumer", "facilitator", "producer"]
        case "managed": ["basicconsumer", "consumer", "contributor", "dataconsumer", "facilitator", "publisher"]
        default: ["consumer", "facilitator", "operator", "producer"]
        }
    }

    func space(_ id: String) -> Space? { spaces.first { $0.id == id } }

    /// A new space; names are unique in a tenant (409).
    func createSpace(name: String, type: String, description: String, ownerID: String) throws(QlikErrorResponse) -> Space {
        guard !spaces.contains(where: { $0.name.caseInsensitiveCompare(name) == .orderedSame }) else {
            throw .conflict("A space named '\(name)' already exists; space names are unique in a tenant.")
        }
        return addSpace(name: name, type: type, description: description, ownerID: ownerID)
    }

    func updateSpace(_ id: String, name: String?, description: String?, ownerID: String?) throws(QlikErrorResponse) -> Space {
        guard let index = spaces.firstIndex(where: { $0.id == id }) else { throw .notFound("No space with id \(id).") }
        if let name, spaces.contains(where: { $0.id != id && $0.name.caseInsensitiveCompare(name) == .orderedSame }) {
            throw .conflict("A space named '\(name)' already exists; space names are unique in a tenant.")
        }
        if let ownerID, users[ownerID] == nil { throw .badRequest("ownerId names no user of this tenant: \(ownerID).") }
        if let name { spaces[index].name = name }
        if let description { spaces[index].description = description }
        if let ownerID { spaces[index].ownerID = ownerID }
        spaces[index].updatedAt = clock()
        persist()
        return spaces[index]
    }

    /// Deletes an empty space with its assignments; a space that still holds apps or data files is refused (409), as Qlik refuses it.
    func deleteSpace(_ id: String) throws(QlikErrorResponse) {
        guard let index = spaces.firstIndex(where: { $0.id == id }) else { throw .notFound("No space with id \(id).") }
        let held = apps.filter { $0.spaceID == id }.count + dataFiles.filter { $0.spaceID == id }.count
        guard held == 0 else { throw .conflict("The space holds \(held) apps or data files; move or delete them first.") }
        spaces.remove(at: index)
        restState.assignments.removeAll { $0.spaceID == id }
        persist()
    }

    func assignments(of spaceID: String) -> [SpaceAssignment] { restState.assignments.filter { $0.spaceID == spaceID } }

    func assign(_ assigneeID: String, type: String, roles: [String], to spaceID: String, by userID: String) throws(QlikErrorResponse) -> SpaceAssignment {
        guard let space = space(spaceID) else { throw .notFound("No space with id \(spaceID).") }
        if type == "user", users[assigneeID] == nil { throw .badRequest("assigneeId names no user of this tenant: \(assigneeID).") }
        let allowed = Self.assignableRoles(spaceType: space.type)
        let unknown = roles.filter { !allowed.contains($0) }
        guard unknown.isEmpty, !roles.isEmpty else {
            throw .badRequest("roles must be one or more of \(allowed.joined(separator: ", ")) in a \(space.type) space; got \(roles.joined(separator: ", ")).")
        }
        guard !restState.assignments.contains(where: { $0.spaceID == spaceID && $0.assigneeID == assigneeID }) else {
            throw .conflict("\(assigneeID) is already assigned to the space; change that assignment's roles instead.")
        }
        let now = clock()
        let assignment = SpaceAssignment(sequence: restState.next(), id: Identifier.objectID(), spaceID: spaceID, assigneeID: assigneeID, type: type,
                                         roles: roles, createdAt: now, createdBy: userID, updatedAt: now, updatedBy: userID)
        restState.assignments.append(assignment)
        persist()
        return assignment
    }

    func removeAssignment(_ id: String, from spaceID: String) -> Bool {
        guard let index = restState.assignments.firstIndex(where: { $0.id == id && $0.spaceID == spaceID }) else { return false }
        restState.assignments.remove(at: index)
        persist()
        return true
    }
}
