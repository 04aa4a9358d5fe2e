/// What a new sandbox holds when no fixture is given: a small but realistic
/// tenant to try a connector on. Four users with Qlik's default roles; a
/// shared, a managed and a data space; the sample sales files
/// (``SampleSalesData``) in the data space; three apps whose scripts load
/// them into associated tables, reloaded at seeding so they have data and a
/// reload history from the start.
enum DefaultTenant {
    static let dataSpace = "Sales Data"

    static func seed(_ tenant: Tenant) async -> TenantSnapshot.Administrator {
        let domain = "\(tenant.configuration.tenantName).example"
        let admin = await tenant.addUser(name: "Sandbox Admin", email: "admin@\(domain)", roles: ["TenantAdmin"])
        let apiKey = await tenant.addAPIKey(for: admin.id)
        let client = await tenant.addOAuthClient(for: admin.id)
        let developer = await tenant.addUser(name: "Maria Lopez", email: "maria.lopez@\(domain)",
                                             roles: ["Developer", "SharedSpaceCreator", "ManagedSpaceCreator"])
        let steward = await tenant.addUser(name: "Sam Okafor", email: "sam.okafor@\(domain)", roles: ["DataAdmin", "DataSpaceCreator"])
        _ = await tenant.addUser(name: "Lena Fischer", email: "lena.fischer@\(domain)", status: "invited", roles: [])

        let sales = await tenant.addSpace(name: "Sales", type: "shared", description: "Sales analytics in development", ownerID: developer.id)
        let published = await tenant.addSpace(name: "Sales Published", type: "managed", description: "Sales apps published for consumers",
                                              ownerID: admin.id)
        let data = await tenant.addSpace(name: dataSpace, type: "data", description: "Source files of the sales apps: orders, customers, products",
                                         ownerID: steward.id)
        // Their developer publishes to the managed space and loads from the data space, so is a member of both (ContentAccess).
        do {
            _ = try await tenant.assign(developer.id, type: "user", roles: ["contributor", "publisher"], to: published.id, by: admin.id)
            _ = try await tenant.assign(developer.id, type: "user", roles: ["consumer"], to: data.id, by: steward.id)
        } catch {
            tenant.logger.error("The sandbox could not make Maria Lopez a member of its spaces: \(error)")
        }

        _ = await tenant.addSeededDataFile(name: "orders.csv", content: SampleSalesData.ordersCSV, ownerID: steward.id, spaceID: data.id)
        _ = await tenant.addSeededDataFile(name: "customers.csv", content: SampleSalesData.customersCSV, ownerID: steward.id, spaceID: data.id)
        do {
            _ = await tenant.addSeededDataFile(name: "products.qvd", content: try SampleSalesData.productsQVD(), ownerID: steward.id, spaceID: data.id)
        } catch {
            // The apps that load it then fail their seeding reload, and its log says which file is missing.
            tenant.logger.error("The sandbox could not write its sample file products.qvd: \(error)")
        }

        let analysis = await addApp(tenant, name: "Sales Analysis", spaceID: sales.id, ownerID: developer.id, script: salesAnalysisScript,
                     description: "Orders of 2024 with their customers, products and regions, associated by CustomerID, ProductID and Country; "
                        + "loaded from the \(dataSpace) space.")
        let dashboard = await addApp(tenant, name: "Sales Dashboard", spaceID: published.id, ownerID: developer.id, script: salesDashboardScript,
                     description: "Published revenue of 2024 by customer, segment and region, for consumers.")
        // Sheets, charts and master items, as their developer built them on the loaded data.
        await tenant.setAppObjects(analysis.id, DefaultAppContent.salesAnalysis(ownerID: developer.id, now: tenant.clock(),
                                                                                model: await tenant.app(analysis.id)?.dataModel ?? DataModel()))
        await tenant.setAppObjects(dashboard.id, DefaultAppContent.salesDashboard(ownerID: developer.id, now: tenant.clock(),
                                                                                  model: await tenant.app(dashboard.id)?.dataModel ?? DataModel()))
        _ = await addApp(tenant, name: "Personal Scratchpad", spaceID: nil, ownerID: admin.id, script: scratchpadScript,
                     description: "Quarterly revenue targets per region, typed in the script while planning.")
        return TenantSnapshot.Administrator(userID: admin.id, apiKeyToken: apiKey.token, clientID: client.clientID)
    }

    private static func addApp(_ tenant: Tenant, name: String, spaceID: String?, ownerID: String, script: String, description: String) async -> SandboxApp {
        let app = await tenant.addApp(name: name, description: description, spaceID: spaceID, ownerID: ownerID)
        _ = await tenant.setScript(app.id, script: script, message: "First version", userID: ownerID)
        _ = await tenant.reloadNow(appID: app.id, userID: ownerID)
        return app
    }

    private static let csvFormat = "(txt, utf8, embedded labels, delimiter is ',')"

    static let salesAnalysisScript = """
        // Sales of 2024: orders with their customers and products, from the \(dataSpace) space.
        Orders:
        LOAD OrderID, OrderDate, CustomerID, ProductID, Quantity, Discount, Amount, ShipDate, Channel
        FROM [lib://\(dataSpace):DataFiles/orders.csv] \(csvFormat);

        Customers:
        LOAD CustomerID, CustomerName AS Customer, Country, City, Segment, CustomerSince
        FROM [lib://\(dataSpace):DataFiles/customers.csv] \(csvFormat);

        Products:
        LOAD * FROM [lib://\(dataSpace):DataFiles/products.qvd] (qvd);

        \(SampleSalesData.regionsInline)
        """

    static let salesDashboardScript = """
        // The published view: each order's revenue with its customer and region.
        Revenue:
        LOAD OrderID, OrderDate AS [Order Date], CustomerID, Amount AS Revenue, Channel
        FROM [lib://\(dataSpace):DataFiles/orders.csv] \(csvFormat);

        Customers:
        LOAD CustomerID, CustomerName AS Customer, Country, Segment
        FROM [lib://\(dataSpace):DataFiles/customers.csv] \(csvFormat);

        \(SampleSalesData.regionsInline)
        """

    static let scratchpadScript = """
        // Targets per region and quarter; APAC's fourth quarter is not set yet.
        Targets:
        LOAD * INLINE [
        Region, Quarter, Target
        EMEA, 2024-Q1, 4500
        EMEA, 2024-Q2, 4800
        EMEA, 2024-Q3, 5000
        EMEA, 2024-Q4, 5500
        Americas, 2024-Q1, 3500.5
        Americas, 2024-Q2, 3600
        Americas, 2024-Q3, 3900
        Americas, 2024-Q4, 4200
        APAC, 2024-Q1, 2000
        APAC, 2024-Q2, 2100
        APAC, 2024-Q3, 2400
        APAC, 2024-Q4,
        ];
        """
}
