import Foundation

/// One object an app holds, as Qlik's engine keeps it: its full properties
/// (free-form JSON whose `qInfo` gives id and type), where it sits in the
/// object tree, who owns it and whether it is published.
struct AppObject: Sendable, Codable, Equatable {
    var properties: JSONValue
    /// The object whose child it is (a chart's sheet); nil for top-level objects.
    var parentID: String?
    var childIDs: [String] = []
    var ownerID: String
    var published = false
    var createdAt: Date
    var modifiedAt: Date
    /// A bookmark's selections: field name to selected values, in the order they were selected.
    var bookmarkSelections: [BookmarkSelection]?

    // Read member by member, not through a JSON Pointer: ids are looked up for every object of every call.
    var id: String { properties["qInfo"]?["qId"]?.string ?? "" }
    var type: String { properties["qInfo"]?["qType"]?.string ?? "" }
    var engineClass: AppObjectClass { AppObjectClass(type: type) }
    var title: String { properties.value(at: "/qMetaDef/title")?.string ?? "" }
}

/// The selected values of one field in a bookmark.
struct BookmarkSelection: Sendable, Codable, Equatable {
    var field: String
    var values: [String]
}

/// The engine class an object answers as, which its `qInfo.qType` decides.
enum AppObjectClass: Sendable, Equatable {
    case genericObject, genericDimension, genericMeasure, genericVariable, genericBookmark

    init(type: String) {
        switch type {
        case "dimension": self = .genericDimension
        case "measure": self = .genericMeasure
        case "variable": self = .genericVariable
        case "bookmark": self = .genericBookmark
        default: self = .genericObject
        }
    }

    /// The `qType` of the handle an engine call opens on such an object.
    var handleType: String {
        switch self {
        case .genericObject: "GenericObject"
        case .genericDimension: "GenericDimension"
        case .genericMeasure: "GenericMeasure"
        case .genericVariable: "GenericVariable"
        case .genericBookmark: "GenericBookmark"
        }
    }
}

/// Everything an app holds besides its script and data: its objects in
/// creation order and its own properties (title aside, which is the app's name).
struct AppObjects: Sendable, Codable, Equatable {
    var items: [AppObject] = []
    /// The app's properties beyond `qTitle` (`qThumbnail`, `description`, client keys), as `SetAppProperties` leaves them.
    var appProperties: JSONValue = .object(["qThumbnail": .object(["qUrl": .string("")])])

    init() {}

    /// Objects listed in any order (a chart before its sheet), each child linked to its parent.
    init(_ objects: [AppObject], appProperties: JSONValue? = nil) {
        items = objects
        for object in objects {
            guard let parentID = object.parentID, let parent = items.firstIndex(where: { $0.id == parentID }),
                  !items[parent].childIDs.contains(object.id) else { continue }
            items[parent].childIDs.append(object.id)
        }
        if let appProperties { self.appProperties = appProperties }
    }

    func object(_ id: String) -> AppObject? { items.first { $0.id == id } }

    /// An object and everything under it, children before parents, so removing them in order leaves no orphan.
    func subtree(_ id: String) -> [String] {
        guard let object = object(id) else { return [] }
        return object.childIDs.flatMap { subtree($0) } + [id]
    }

    /// Adds the object, or replaces the one with its id, keeping the parent's child list in step.
    mutating func put(_ object: AppObject) {
        if let index = items.firstIndex(where: { $0.id == object.id }) {
            items[index] = object
        } else {
            items.append(object)
        }
        if let parentID = object.parentID, let parent = items.firstIndex(where: { $0.id == parentID }), !items[parent].childIDs.contains(object.id) {
            items[parent].childIDs.append(object.id)
        }
    }

    /// Removes an object with its descendants (as destroying a sheet destroys its charts); the ids removed.
    mutating func remove(_ id: String) -> [String] {
        let removed = subtree(id)
        guard !removed.isEmpty else { return [] }
        items.removeAll { removed.contains($0.id) }
        for index in items.indices { items[index].childIDs.removeAll { removed.contains($0) } }
        return removed
    }

    /// The root of an object's tree: the sheet a chart sits on, or the object itself.
    func rootID(of id: String) -> String {
        var current = id
        var seen: Set<String> = []
        while let parent = object(current)?.parentID, seen.insert(current).inserted { current = parent }
        return current
    }
}
