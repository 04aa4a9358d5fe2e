import Foundation
import QVD

/// The default tenant's sample data: a small sales model of 2024 (customers,
/// products, orders) whose tables share the keys CustomerID and ProductID,
/// with whole and decimal numbers, texts (some not ASCII), dates and empty
/// cells. Built from fixed values and formulas, never the clock or a random
/// source, so every sandbox holds the same rows.
enum SampleSalesData {
    struct Customer {
        let id: Int
        let name: String
        let country: String
        /// nil: not known, an empty cell (NULL once loaded).
        let city: String?
        let segment: String
        let since: String
    }

    struct Product {
        let id: Int
        let name: String
        let category: String
        let unitPrice: Double
    }

    struct Order {
        let id: Int
        let date: String
        let customerID: Int
        let productID: Int
        let quantity: Int
        /// nil: no discount.
        let discount: Double?
        let amount: Double
        /// nil: not shipped yet.
        let shipDate: String?
        let channel: String
    }

    static let customers: [Customer] = [
        Customer(id: 1, name: "Northwind Traders", country: "Germany", city: "Berlin", segment: "Enterprise", since: "2019-03-14"),
        Customer(id: 2, name: "Fjord Fisheries", country: "Norway", city: "Bergen", segment: "SMB", since: "2020-07-01"),
        Customer(id: 3, name: "Alpine Outfitters", country: "Switzerland", city: "Zürich", segment: "SMB", since: "2021-01-20"),
        Customer(id: 4, name: "Café Lumière", country: "France", city: "Lyon", segment: "SMB", since: "2022-05-09"),
        Customer(id: 5, name: "Maple Leaf Logistics", country: "Canada", city: "Toronto", segment: "Enterprise", since: "2018-11-30"),
        Customer(id: 6, name: "Sonoran Solar", country: "United States", city: "Phoenix", segment: "Enterprise", since: "2020-02-17"),
        Customer(id: 7, name: "Pampas Foods", country: "Argentina", city: "Córdoba", segment: "SMB", since: "2023-04-03"),
        Customer(id: 8, name: "Kiwi Health Board", country: "New Zealand", city: nil, segment: "Public Sector", since: "2019-09-12"),
        Customer(id: 9, name: "Sakura Robotics", country: "Japan", city: "Osaka", segment: "Enterprise", since: "2021-06-25"),
        Customer(id: 10, name: "Nile Textiles", country: "Egypt", city: "Cairo", segment: "SMB", since: "2022-10-10"),
        Customer(id: 11, name: "Baltic Ports Authority", country: "Estonia", city: "Tallinn", segment: "Public Sector", since: "2020-12-01"),
        Customer(id: 12, name: "Cape Vineyards", country: "South Africa", city: nil, segment: "SMB", since: "2023-08-21"),
    ]

    static let products: [Product] = [
        Product(id: 101, name: "Trail Backpack 40L", category: "Outdoor", unitPrice: 89.9),
        Product(id: 102, name: "Insulated Bottle", category: "Outdoor", unitPrice: 24.5),
        Product(id: 103, name: "Solar Charger", category: "Electronics", unitPrice: 59),
        Product(id: 104, name: "Wireless Headset", category: "Electronics", unitPrice: 129.99),
        Product(id: 105, name: "Espresso Beans 1kg", category: "Grocery", unitPrice: 18.75),
        Product(id: 106, name: "Olive Oil 750ml", category: "Grocery", unitPrice: 12.4),
        Product(id: 107, name: "Yoga Mat", category: "Fitness", unitPrice: 34),
        Product(id: 108, name: "Kettlebell 12kg", category: "Fitness", unitPrice: 45.25),
    ]

    /// The sales region of each customer's country: the Regions table the apps type inline.
    static let regions: [(country: String, region: String)] = [
        ("Germany", "EMEA"), ("Norway", "EMEA"), ("Switzerland", "EMEA"), ("France", "EMEA"), ("Egypt", "EMEA"), ("Estonia", "EMEA"),
        ("South Africa", "EMEA"), ("Canada", "Americas"), ("United States", "Americas"), ("Argentina", "Americas"),
        ("New Zealand", "APAC"), ("Japan", "APAC"),
    ]

    /// 120 orders, ten a month through 2024; the last eight are not shipped yet.
    static let orders: [Order] = (0..<120).map { index in
        let month = 1 + index / 10, day = 1 + (index % 10) * 3
        let customer = customers[(index * 7) % customers.count]
        let product = products[(index * 5 + index / 12) % products.count]
        let quantity = 1 + (index * 11) % 9
        let discount: Double? = index % 5 == 0 ? 0.1 : (index % 7 == 3 ? 0.05 : nil)
        let amount = (Double(quantity) * product.unitPrice * (1 - (discount ?? 0)) * 100).rounded() / 100
        return Order(id: 10_001 + index, date: isoDate(2024, month, day), customerID: customer.id, productID: product.id, quantity: quantity,
                     discount: discount, amount: amount, shipDate: index >= 112 ? nil : isoDate(2024, month, day + 1 + index % 4),
                     channel: ["Web", "Partner", "Store"][(index * index) % 3])
    }

    static var customersCSV: [UInt8] {
        csv(["CustomerID", "CustomerName", "Country", "City", "Segment", "CustomerSince"], customers.map {
            [String($0.id), $0.name, $0.country, $0.city ?? "", $0.segment, $0.since]
        })
    }

    static var ordersCSV: [UInt8] {
        csv(["OrderID", "OrderDate", "CustomerID", "ProductID", "Quantity", "Discount", "Amount", "ShipDate", "Channel"], orders.map {
            [String($0.id), $0.date, String($0.customerID), String($0.productID), String($0.quantity), $0.discount.map(QlikValue.render) ?? "",
             QlikValue.render($0.amount), $0.shipDate ?? "", $0.channel]
        })
    }

    /// The products as a QVD file, the format Qlik apps load fastest.
    static func productsQVD() throws(QVDError) -> [UInt8] {
        let writer = try QVDWriter(tableName: "Products", fieldNames: ["ProductID", "ProductName", "Category", "UnitPrice"])
        try writer.append(rows: products.map { [.integer(Int64($0.id)), .text($0.name), .text($0.category), .double($0.unitPrice)] })
        // A fixed creation time keeps the file the same in every sandbox.
        return try writer.finishInMemory(creatorDoc: "qlik-cloud-sandbox", now: Date(timeIntervalSince1970: 1_704_067_200))
    }

    /// `Regions: LOAD * INLINE [...]`, for the apps' scripts.
    static var regionsInline: String {
        "Regions:\nLOAD * INLINE [\nCountry, Region\n" + regions.map { "\($0.country), \($0.region)" }.joined(separator: "\n") + "\n];"
    }

    /// Comma-separated with a header line; no sample value holds a comma, quote or line break.
    private static func csv(_ header: [String], _ rows: [[String]]) -> [UInt8] {
        Array(([header] + rows).map { $0.joined(separator: ",") + "\n" }.joined().utf8)
    }

    /// `YYYY-MM-DD`, a `day` past the month's end running into the next months.
    private static func isoDate(_ year: Int, _ month: Int, _ day: Int) -> String {
        var year = year, month = month, day = day
        func length(_ month: Int) -> Int {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        }
        while day > length(month) {
            day -= length(month)
            month += 1
            if month > 12 { month = 1; year += 1 }
        }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}
