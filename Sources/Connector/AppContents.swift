/// What an app holds, as its engine shows it: sheets and their charts (with
/// the master items and fields they use), master dimensions and measures,
/// variables, bookmarks and the data model. What could not be read is in
/// `problems`, one per object, so one broken chart never costs the rest.
public struct AppContents: Sendable, Codable, Equatable {
    public var sheets: [Sheet] = []
    public var masterDimensions: [MasterDimension] = []
    public var masterMeasures: [MasterMeasure] = []
    public var variables: [Variable] = []
    public var bookmarks: [Bookmark] = []
    public var dataModel: DataModel?
    public var problems: [Problem] = []

    public init() {}

    public struct Sheet: Sendable, Codable, Equatable {
        public let id: String
        public let title: String?
        public let description: String?
        public let owner: String?
        public let published: Bool?
        public var charts: [Chart]
    }

    public struct Chart: Sendable, Codable, Equatable {
        public let id: String
        /// barchart, linechart, table, kpi, piechart, filterpane, listbox ...
        public let type: String
        public let title: String?
        public let dimensions: [ChartDimension]
        public let measures: [ChartMeasure]

        /// Every field the chart uses, through master items or its own definitions.
        public var fields: [String] {
            var all: [String] = []
            for field in dimensions.flatMap(\.fields) + measures.flatMap(\.fields) where !all.contains(field) { all.append(field) }
            return all
        }
    }

    /// A chart's dimension: a master dimension (`masterItem`) or the chart's own field definitions.
    public struct ChartDimension: Sendable, Codable, Equatable {
        public let label: String?
        public let masterItem: MasterItemReference?
        public let definitions: [String]
        public let fields: [String]
    }

    public struct ChartMeasure: Sendable, Codable, Equatable {
        public let label: String?
        public let masterItem: MasterItemReference?
        public let expression: String?
        public let fields: [String]
    }

    public struct MasterItemReference: Sendable, Codable, Equatable {
        public let id: String
        public let title: String?
    }

    public struct MasterDimension: Sendable, Codable, Equatable {
        public let id: String
        public let title: String?
        public let description: String?
        /// The field names or `=expressions` it is defined by (more than one for a drill-down group).
        public let definitions: [String]
        public let fields: [String]
    }

    public struct MasterMeasure: Sendable, Codable, Equatable {
        public let id: String
        public let title: String?
        public let description: String?
        public let expression: String?
        public let label: String?
        public let fields: [String]
    }

    public struct Variable: Sendable, Codable, Equatable {
        public let name: String
        public let definition: String?
        public let description: String?
        public let createdByScript: Bool?
    }

    public struct Bookmark: Sendable, Codable, Equatable {
        public let id: String
        public let title: String?
        public let description: String?
    }

    /// The data model as `GetTablesAndKeys` shows it.
    public struct DataModel: Sendable, Codable, Equatable {
        public struct Table: Sendable, Codable, Equatable {
            public let name: String
            public let rows: Int?
            public let synthetic: Bool
            public let fields: [Field]
        }
        public struct Field: Sendable, Codable, Equatable {
            public let name: String
            public let distinctValues: Int?
            /// NOT_KEY, ANY_KEY, PRIMARY_KEY or PERFECT_KEY.
            public let keyType: String?
        }
        /// Key fields and the tables they associate.
        public struct Key: Sendable, Codable, Equatable {
            public let fields: [String]
            public let tables: [String]
        }
        public let tables: [Table]
        public let keys: [Key]
    }
}

/// Something of an app the catalog could not read: which object, and what went wrong.
public struct Problem: Sendable, Codable, Equatable {
    public let object: String
    public let message: String
    public init(object: String, message: String) {
        self.object = object
        self.message = message
    }
}
