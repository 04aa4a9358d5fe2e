import Foundation
import QVD

/// The data catalog's view of data files (qlik-api-ts data-stores and data-sets): each DataFiles connection is a
/// data store (`qix-datafiles`), each file in it a data asset (`qix-df`) and a data set, all with the file's id.
enum DataSetViews {
    struct StoreInfo: Encodable, Sendable {
        let id: String
        let name: String
        let type: String
    }

    /// `DataStore`
    struct Store: Encodable, Sendable {
        let id: String
        let name: String
        let technicalName: String
        let type: String
        let spaceId: String?
        let ownerId: String
        let tenantId: String
        let createdBy: String
        let createdTime: Date
        let lastModifiedTime: Date
        let version: Int
    }

    /// `DataAsset`
    struct Asset: Encodable, Sendable {
        let id: String
        let name: String
        let technicalName: String
        let appType: String
        let dataStoreInfo: StoreInfo
        let spaceId: String?
        let ownerId: String
        let tenantId: String
        let createdBy: String
        let createdTime: Date
        let lastModifiedTime: Date
        let dataFreshness: Date
        let version: Int

        init(_ file: DataFile, store: StoreInfo, tenantID: String) {
            id = file.id
            name = file.name
            technicalName = file.name
            appType = "qix-df"
            dataStoreInfo = store
            spaceId = file.spaceID
            ownerId = file.ownerID
            tenantId = tenantID
            createdBy = file.ownerID
            createdTime = file.createdAt
            lastModifiedTime = file.modifiedAt
            dataFreshness = file.modifiedAt
            version = 1
        }
    }

    struct FieldType: Encodable, Sendable { let type: String }

    struct Field: Encodable, Sendable {
        let name: String
        let index: Int
        let dataType: FieldType
        let nullable: Bool
    }

    struct Schema: Encodable, Sendable {
        let schemaName: String
        let dataFields: [Field]
        let anomalies: [String]
    }

    struct Operational: Encodable, Sendable {
        let size: Int
        let rowCount: Int?
        let lastLoadTime: Date
        let lastUpdateTime: Date
        let contentUpdated: Bool
        let status: String
    }

    struct AssetInfo: Encodable, Sendable {
        let id: String
        let name: String
        let dataStoreInfo: StoreInfo
    }

    /// `DataSet`: `secureQri` is the file's QRI in the lineage graph (``LineageGraph``); `qri` the older
    /// colon-separated form (resource type, store type, tenant, `sid@space` or `uid@owner`, file name).
    struct DataSet: Encodable, Sendable {
        let id: String
        let name: String
        let technicalName: String
        let type: String
        let qri: String
        let secureQri: String
        let dataAssetInfo: AssetInfo
        let spaceId: String?
        let ownerId: String
        let tenantId: String
        let createdBy: String
        let createdTime: Date
        let lastModifiedTime: Date
        let createdByConnectionId: String
        let schema: Schema?
        let operational: Operational
        let version: Int

        init(_ file: DataFile, store: StoreInfo, tenantID: String) {
            id = file.id
            name = file.name
            technicalName = file.name
            let suffix = (file.name as NSString).pathExtension.lowercased()
            type = suffix == "qvd" ? "QVD" : ["csv", "txt", "tab"].contains(suffix) ? "DELIMITED" : suffix.uppercased()
            qri = "qdf:qix-datafiles:\(tenantID):\(file.spaceID.map { "sid@" + $0 } ?? "uid@" + file.ownerID):\(file.name)"
            secureQri = LineageGraph.datasetQRI(fileID: file.id, spaceID: file.spaceID, ownerID: file.ownerID)
            dataAssetInfo = AssetInfo(id: file.id, name: file.name, dataStoreInfo: store)
            spaceId = file.spaceID
            ownerId = file.ownerID
            tenantId = tenantID
            createdBy = file.ownerID
            createdTime = file.createdAt
            lastModifiedTime = file.modifiedAt
            createdByConnectionId = file.connectionID
            let table = Self.table(file)
            schema = table.map { table in
                Schema(schemaName: table.name, dataFields: table.fields.enumerated().map { index, name in
                    let values = table.columns[index]
                    return Field(name: name, index: index, dataType: FieldType(type: Self.type(of: values)), nullable: values.contains { $0.isNull })
                }, anomalies: [])
            }
            operational = Operational(size: file.content.count, rowCount: table?.rowCount, lastLoadTime: file.modifiedAt, lastUpdateTime: file.modifiedAt,
                                      contentUpdated: true, status: "com.qlik/dataset-profile-ready")
            version = 1
        }

        /// The file's table, read as a load script reads it; nil for formats the sandbox cannot read (its schema is then unknown, as Qlik leaves it until profiled).
        static func table(_ file: DataFile) -> DataTable? {
            guard !file.name.contains("]") else { return nil }
            switch LoadScript(dataFile: { _ in file.content }).run("LOAD * FROM [lib://DataFiles/\(file.name)];") {
            case .success(let (model, _)): return model.tables.first
            case .failure: return nil
            }
        }

        static func type(of values: [QlikValue]) -> String {
            let present = values.filter { !$0.isNull }
            guard !present.isEmpty, present.allSatisfy({ $0.number != nil }) else { return "STRING" }
            return present.allSatisfy { ($0.number ?? 0).rounded() == $0.number } ? "INTEGER" : "DOUBLE"
        }
    }

    /// Qlik's page-numbered lists (`PageDataStore`, `PageDataAsset`, `PageDataSet`).
    struct Page<Item: Encodable & Sendable>: Encodable, Sendable {
        struct Links: Encodable, Sendable {
            let `self`: Link
            let first: Link
            let last: Link
            let next: Link?
            let prev: Link?
        }
        let data: [Item]
        let limit: Int
        let page: Int
        let pages: Int
        let total: Int
        let links: Links
    }
}
