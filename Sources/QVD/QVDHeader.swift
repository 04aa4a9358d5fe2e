/// What a QVD file says about itself, in its XML header.
public struct QVDHeader: Sendable, Equatable {
    public var tableName: String
    public var qvBuildNo: String?
    public var creatorDoc: String?
    public var createUtcTime: String?
    public var fields: [QVDFieldHeader]
    public var recordByteSize: Int
    public var numberOfRecords: Int
    /// Start of the index table, from the end of the header.
    public var indexOffset: UInt64
    public var indexLength: UInt64
    public var lineage: [QVDLineage]
    public var comment: String?

    public init(tableName: String, qvBuildNo: String? = nil, creatorDoc: String? = nil, createUtcTime: String? = nil,
                fields: [QVDFieldHeader], recordByteSize: Int, numberOfRecords: Int, indexOffset: UInt64, indexLength: UInt64,
                lineage: [QVDLineage] = [], comment: String? = nil) {
        self.tableName = tableName
        self.qvBuildNo = qvBuildNo
        self.creatorDoc = creatorDoc
        self.createUtcTime = createUtcTime
        self.fields = fields
        self.recordByteSize = recordByteSize
        self.numberOfRecords = numberOfRecords
        self.indexOffset = indexOffset
        self.indexLength = indexLength
        self.lineage = lineage
        self.comment = comment
    }
}

public struct QVDFieldHeader: Sendable, Equatable {
    public var name: String
    public var bitOffset: Int
    public var bitWidth: Int
    public var bias: Int
    public var numberFormat: QVDNumberFormat
    public var numberOfSymbols: Int
    /// Start of the field's symbols, from the end of the header.
    public var offset: UInt64
    public var length: UInt64
    public var tags: [String]
    public var comment: String?

    public init(name: String, bitOffset: Int, bitWidth: Int, bias: Int, numberFormat: QVDNumberFormat = QVDNumberFormat(),
                numberOfSymbols: Int, offset: UInt64, length: UInt64, tags: [String] = [], comment: String? = nil) {
        self.name = name
        self.bitOffset = bitOffset
        self.bitWidth = bitWidth
        self.bias = bias
        self.numberFormat = numberFormat
        self.numberOfSymbols = numberOfSymbols
        self.offset = offset
        self.length = length
        self.tags = tags
        self.comment = comment
    }
}

/// Qlik's display format of a field's numbers.
public struct QVDNumberFormat: Sendable, Equatable {
    /// UNKNOWN, ASCII, INTEGER, REAL, FIX, MONEY, DATE, TIME, TIMESTAMP, INTERVAL
    public var type: String
    public var decimals: Int
    public var useThousands: Int
    public var format: String
    public var decimalSeparator: String
    public var thousandsSeparator: String

    public init(type: String = "UNKNOWN", decimals: Int = 0, useThousands: Int = 0, format: String = "",
                decimalSeparator: String = "", thousandsSeparator: String = "") {
        self.type = type
        self.decimals = decimals
        self.useThousands = useThousands
        self.format = format
        self.decimalSeparator = decimalSeparator
        self.thousandsSeparator = thousandsSeparator
    }

    public static let date = QVDNumberFormat(type: "DATE", format: "YYYY-MM-DD")
    public static let timestamp = QVDNumberFormat(type: "TIMESTAMP", format: "YYYY-MM-DD hh:mm:ss")
}

public struct QVDLineage: Sendable, Equatable {
    public var discriminator: String
    public var statement: String

    public init(discriminator: String, statement: String) {
        self.discriminator = discriminator
        self.statement = statement
    }
}
