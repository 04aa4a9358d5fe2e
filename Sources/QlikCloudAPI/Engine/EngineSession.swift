import Foundation
import HTTPTypes
import HummingbirdWSClient
import Logging
import NIOCore
import NIOSSL

/// One engine (QIX) session: JSON-RPC over the WebSocket at `/app/{appId}`,
/// opened with the client's bearer token. Many requests may be in flight;
/// answers are matched by id. The session lives inside ``withSession(client:appID:_:)``,
/// so the socket is closed however the work ends. With an ``AddressCheck`` in the client's
/// settings, the tenant's host is resolved and checked again right before each socket opens.
public struct EngineSession: Sendable {
    let connection: EngineConnection
    public let appID: String

    public static let globalHandle = -1

    /// The environment variable that sets the per-call deadline, in seconds.
    public static let callTimeoutVariable = "QLIK_CONNECTOR_ENGINE_CALL_TIMEOUT"
    /// How long a call waits for its answer unless the settings or ``callTimeoutVariable`` say otherwise.
    public static let defaultCallTimeout = Duration.seconds(120)

    /// The environment variable that sets the connect deadline (the upgrade and `OnConnected`), in seconds.
    public static let connectTimeoutVariable = "QLIK_CONNECTOR_ENGINE_CONNECT_TIMEOUT"
    public static let defaultConnectTimeout = Duration.seconds(30)

    /// The per-call deadline: the settings', else the environment's, else ``defaultCallTimeout``.
    static func callTimeout(_ settings: TransportSettings, environment: [String: String]) throws(EngineError) -> Duration {
        if let chosen = settings.engineCallTimeout { return chosen }
        return try deadline(callTimeoutVariable, environment: environment, default: defaultCallTimeout)
    }

    /// A deadline from the environment variable `variable` (seconds), else `fallback`.
    static func deadline(_ variable: String, environment: [String: String], default fallback: Duration) throws(EngineError) -> Duration {
        guard let text = environment[variable] else { return fallback }
        guard let seconds = Double(text.trimmingCharacters(in: .whitespaces)), seconds.isFinite, seconds > 0, seconds <= 86_400 else {
            throw .invalidSetting("\(variable) is '\(text)': expected a number of seconds above 0 and at most 86400 (default \(Int(fallback.components.seconds)))")
        }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    /// Opens a session on the app's engine, waits for `OnConnected`, runs `body`, and closes the socket.
    /// Nothing waits forever: the upgrade and `OnConnected` must arrive within `connectTimeout`, each call's answer within
    /// the per-call deadline (``callTimeout(_:environment:)``; reloads excepted), and when the socket ends every waiting call fails at once.
    /// `connectTimeout` nil: ``connectTimeoutVariable`` (seconds), else ``defaultConnectTimeout``.
    public static func withSession<T: Sendable>(client: QlikCloudClient, appID: String, connectTimeout: Duration? = nil,
                                                _ body: @escaping @Sendable (EngineSession) async throws -> T) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        let callTimeout = try Self.callTimeout(client.settings, environment: environment)
        let connectTimeout = try connectTimeout ?? Self.deadline(Self.connectTimeoutVariable, environment: environment, default: Self.defaultConnectTimeout)
        let url = Self.webSocketURL(baseURL: client.baseURL, appID: appID)
        if url.hasPrefix("wss://"), (try? SocketAddress(ipAddress: client.host, port: 0)) != nil {
            // The WebSocket client always sends the host as TLS SNI, which an IP address cannot be.
            throw EngineError.upgradeRefused("over TLS the engine needs the tenant's host name, not an IP address (\(client.host))")
        }
        let proxy = try client.settings.proxies.proxy(forHost: client.host, scheme: url.hasPrefix("wss") ? "https" : "http")
        if proxy == nil, let check = client.settings.addressCheck {
            // The WebSocket client resolves the name itself and takes no address to connect to while it verifies the name,
            // so its connection cannot be pinned: the name is resolved and every address checked again right before it opens.
            try await check.beforeConnecting(to: client.host, port: Self.port(of: client.baseURL))
        }
        let token = try await client.currentToken()
        let connection = EngineConnection(host: client.host, callTimeout: callTimeout, connectTimeout: connectTimeout)
        var headers = HTTPFields()
        headers[.authorization] = token.authorization
        headers[.userAgent] = client.settings.userAgent
        let configuration = WebSocketClientConfiguration(maxFrameSize: 1 << 26, additionalHeaders: headers)
        let tls = try Self.tlsConfiguration(client.settings)
        let logger = Logger(label: "qlik-connector.engine", factory: { _ in SwiftLogNoOpLogHandler() })
        let session = EngineSession(connection: connection, appID: appID)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                let handler: WebSocketDataHandler<WebSocketClient.Context> = { inbound, outbound, _ in
                    await connection.attach(outbound)
                    var message = ByteBuffer()
                    for try await frame in inbound {
                        // A message in one frame (the usual case) is handed on as is; fragments are joined.
                        if frame.fin, message.readableBytes == 0 {
                            await connection.deliver(frame.data)
                            continue
                        }
                        var data = frame.data
                        message.writeBuffer(&data)
                        guard frame.fin else { continue }
                        await connection.deliver(message)
                        message = ByteBuffer()
                    }
                }
                do {
                    if let proxy {
                        var headers = HTTPFields()
                        if let credentials = proxy.credentials {
                            headers[.proxyAuthorization] = "Basic " + Data(credentials.utf8).base64EncodedString()
                        }
                        try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls,
                                                          proxySettings: WebSocketProxySettings(host: proxy.host, port: proxy.port, type: .http(connectHeaders: headers)),
                                                          logger: logger, handler: handler)
                    } else {
                        try await WebSocketClient.connect(url: url, configuration: configuration, tlsConfiguration: tls, logger: logger, handler: handler)
                    }
                    await connection.end(.connectionLost("the tenant closed the socket"))
                } catch {
                    let reason = Self.describe(error, host: client.host)
                    await connection.end(reason)
                    throw reason
                }
                return nil
            }
            group.addTask {
                // The deadlines' watch: one check per tick for the whole session, so a call costs no timer of its own.
                let tick = min(connectTimeout, callTimeout, .seconds(1)) / 2
                while await connection.expire(at: .now) { try await Task.sleep(for: tick) }
                return nil
            }
            group.addTask {
                // Ends with the connection: OnConnected, the connect deadline, or the socket's end. A wait that only a
                // cancellation could end would hold this group open, and the socket's reader with it (the hang this replaced).
                try await connection.waitUntilConnected()
                return try await body(session)
            }
            while let outcome = try await group.next() {
                // The socket's and the watch's tasks end with nil; the body's task carries the result. When the body fails
                // (the session ended or timed out), leaving the group cancels the socket's reader, which then returns.
                if let value = outcome {
                    group.cancelAll()
                    return value
                }
            }
            throw EngineError.connectionLost("the session ended before its work")
        }
    }

    static func webSocketURL(baseURL: String, appID: String) -> String {
        let socketBase = baseURL.hasPrefix("https://") ? "wss://" + baseURL.dropFirst(8) : "ws://" + baseURL.dropFirst(7)
        return socketBase + "/app/" + (appID.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? appID)
    }

    /// The tenant's port: the one the Base URL names, else the scheme's.
    static func port(of baseURL: String) -> Int {
        URLComponents(string: baseURL)?.port ?? (baseURL.hasPrefix("https://") ? 443 : 80)
    }

    static func tlsConfiguration(_ settings: TransportSettings) throws(QlikAPIError) -> TLSConfiguration {
        do { return try settings.tlsConfiguration() } catch { throw QlikAPIError.transport(error, operation: "Opening an engine session") }
    }

    static func describe(_ error: any Error, host: String) -> EngineError {
        if let engine = error as? EngineError { return engine }
        if let client = error as? WebSocketClientError {
            switch client {
            case .webSocketUpgradeFailed:
                return .upgradeRefused("the WebSocket upgrade was refused: the token is not accepted by the engine, or the app does not exist or is not shared with the credentials' user")
            case .proxyHandshakeFailed, .proxyHandshakeInvalidResponse, .proxyHandshakeTimeout:
                return .upgradeRefused("the proxy did not open a tunnel to \(host)")
            default:
                return .connectionLost("\(client)")
            }
        }
        return .connectionLost(AsyncHTTPTransport.failure(error, host: host).description)
    }

    // MARK: Calls

    /// Any method, with `params` as JSON text; the answer's `result` decoded as `T`.
    public func call<T: Decodable>(_ method: String, handle: Int, params: String = "[]", as type: T.Type) async throws(EngineError) -> T {
        let answer = try await connection.call(method: method, handle: handle, params: params)
        return try EngineMessage.result(answer, as: type, method: method)
    }

    public struct Handle: Decodable, Sendable {
        public let qType: String?
        public let qHandle: Int
        public let qGenericId: String?
    }

    private struct Returned<Value: Decodable & Sendable>: Decodable, Sendable { let qReturn: Value }

    /// `OpenDoc`: the app's handle.
    public func openDoc() async throws(EngineError) -> Int {
        try await call("OpenDoc", handle: Self.globalHandle, params: "[\(Self.quote(appID))]", as: Returned<Handle>.self).qReturn.qHandle
    }

    public func engineVersion() async throws(EngineError) -> String {
        struct Version: Decodable { struct Inner: Decodable { let qComponentVersion: String }; let qVersion: Inner }
        return try await call("EngineVersion", handle: Self.globalHandle, as: Version.self).qVersion.qComponentVersion
    }

    /// `CreateSessionApp`: a temporary app for this session; returns its doc handle.
    public func createSessionApp() async throws(EngineError) -> Int {
        try await call("CreateSessionApp", handle: Self.globalHandle, as: Returned<Handle>.self).qReturn.qHandle
    }

    public func tablesAndKeys(doc: Int) async throws(EngineError) -> TablesAndKeys {
        try await call("GetTablesAndKeys", handle: doc, params: #"[{"qcx":1000,"qcy":1000},{"qcx":0,"qcy":0},30,false,false]"#, as: TablesAndKeys.self)
    }

    public func script(doc: Int) async throws(EngineError) -> String {
        struct Script: Decodable { let qScript: String }
        return try await call("GetScript", handle: doc, as: Script.self).qScript
    }

    public func setScript(doc: Int, _ script: String) async throws(EngineError) {
        struct Empty: Decodable {}
        _ = try await call("SetScript", handle: doc, params: "[\(Self.quote(script))]", as: Empty.self)
    }

    /// `DoReload`: true when the script ran to the end.
    public func doReload(doc: Int) async throws(EngineError) -> Bool {
        struct Reloaded: Decodable { let qReturn: Bool }
        // A reload runs as long as its script: no per-call deadline; it still ends when the socket does.
        let answer = try await connection.call(method: "DoReload", handle: doc, params: "[0,false,false]", timed: false)
        return try EngineMessage.result(answer, as: Reloaded.self, method: "DoReload").qReturn
    }

    public func doSave(doc: Int) async throws(EngineError) {
        struct Empty: Decodable {}
        _ = try await call("DoSave", handle: doc, as: Empty.self)
    }

    /// A session object whose hypercube has one dimension per field, in order; returns its handle.
    public func createHyperCube(doc: Int, fields: [String]) async throws(EngineError) -> Int {
        let dimensions = fields.map { #"{"qDef":{"qFieldDefs":[\#(Self.quote(Self.fieldReference($0)))]}}"# }.joined(separator: ",")
        let definition = #"[{"qInfo":{"qType":"qlik-connector-table"},"qHyperCubeDef":{"qDimensions":[\#(dimensions)],"qMeasures":[],"qInitialDataFetch":[]}}]"#
        return try await call("CreateSessionObject", handle: doc, params: definition, as: Returned<Handle>.self).qReturn.qHandle
    }

    public struct CubeSize: Sendable, Equatable {
        public let columns: Int
        public let rows: Int
        public init(columns: Int, rows: Int) {
            self.columns = columns
            self.rows = rows
        }
    }

    /// The cube's size from `GetLayout`.
    public func cubeSize(object: Int) async throws(EngineError) -> CubeSize {
        struct Layout: Decodable {
            struct Inner: Decodable { struct Cube: Decodable { struct Size: Decodable { let qcx: Int; let qcy: Int }; let qSize: Size }; let qHyperCube: Cube }
            let qLayout: Inner
        }
        let size = try await call("GetLayout", handle: object, as: Layout.self).qLayout.qHyperCube.qSize
        return CubeSize(columns: size.qcx, rows: size.qcy)
    }

    /// One page of the cube (at most 10,000 cells), read by the engine-page parser.
    public func hyperCubePage(object: Int, top: Int, height: Int, width: Int) async throws(EngineError) -> RowPage {
        let answer = try await connection.call(method: "GetHyperCubeData", handle: object,
                                               params: #"["/qHyperCubeDef",[{"qTop":\#(top),"qLeft":0,"qWidth":\#(width),"qHeight":\#(height)}]]"#)
        var cells = RowPage.Builder()
        cells.reserve(cells: width * height)
        do {
            let failure = try answer.withUnsafeReadableBytes { bytes in try HyperCubePageParser.parse(bytes, width: width, into: &cells) }
            if let failure { throw failure }
        } catch let error as EngineError {
            throw error
        } catch {
            throw .malformed("a GetHyperCubeData page: \(error)")
        }
        return RowPage(firstRow: top, width: width, builder: cells)
    }

    public func destroySessionObject(doc: Int, id: String) async throws(EngineError) {
        struct Success: Decodable { let qSuccess: Bool }
        _ = try await call("DestroySessionObject", handle: doc, params: "[\(Self.quote(id))]", as: Success.self)
    }

    static func quote(_ text: String) -> String { JSONString.quote(text) }

    /// A field name as a dimension definition: bracketed when it has characters an expression would read otherwise.
    static func fieldReference(_ field: String) -> String {
        let plain = field.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" }
        return plain ? field : "[" + field.replacingOccurrences(of: "]", with: "]]") + "]"
    }
}

/// `GetTablesAndKeys`: the app's tables with their fields.
public struct TablesAndKeys: Decodable, Sendable, Equatable {
    public struct Table: Decodable, Sendable, Equatable {
        public let qName: String
        public let qNoOfRows: Int?
        public let qFields: [Field]?
        public let qIsSynthetic: Bool?
        public let qLoose: Bool?
    }

    public struct Field: Decodable, Sendable, Equatable {
        public let qName: String
        public let qnRows: Int?
        public let qnTotalDistinctValues: Int?
        public let qHasNull: Bool?
        public let qKeyType: String?
        public let qTags: [String]?
    }

    public let qtr: [Table]
}
