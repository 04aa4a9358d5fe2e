import Foundation
import PostgresNIO

/// SQL built piece by piece, every value bound as a parameter (`$1`, `$2`, ...), never spliced.
struct PostgresStatement {
    private var sql: String
    private var binds = PostgresBindings()
    private var count = 0

    init(_ sql: String) { self.sql = sql }

    mutating func append(_ text: String) { sql += text }

    mutating func append(_ text: String, _ value: some PostgresDynamicTypeEncodable) {
        binds.append(value)
        count += 1
        sql += text + "$\(count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
