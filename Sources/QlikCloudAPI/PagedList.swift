/// A Qlik list as an AsyncSequence: each page is fetched when the previous
/// one is used up, following `links.next.href` until there is none.
public struct PagedList<Element: Decodable & Sendable>: AsyncSequence, Sendable {
    let client: QlikCloudClient
    let path: String
    let query: [(String, String?)]

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: QlikCloudClient
        let firstPath: String
        /// The first request, then the tenant's next link (checked only when it is needed: a reader that stops early never follows it).
        var next: Request?
        var buffer: [Element] = []
        var index = 0

        enum Request {
            case first(path: String, query: [(String, String?)])
            case link(String)
        }

        public mutating func next() async throws(QlikAPIError) -> Element? {
            while index == buffer.count {
                let page: Page<Element>
                switch next {
                case nil: return nil
                case .first(let path, let query)?:
                    page = try await client.get(Page<Element>.self, path, query: query)
                case .link(let href)?:
                    // The tenant's word: requested with the bearer only on the Base URL's own origin and path.
                    let url = try client.link(href, operation: "GET \(firstPath) (next page)")
                    page = try await client.get(Page<Element>.self, url)
                }
                buffer = page.data
                index = 0
                // Lists whose last page still names a next link with nothing on it would loop: stop at an empty page.
                next = page.data.isEmpty ? nil : page.links?.next?.href.map { .link($0) }
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, firstPath: path, next: .first(path: path, query: query))
    }

    /// Every element, page after page.
    public func collect() async throws(QlikAPIError) -> [Element] {
        var all: [Element] = []
        var iterator = makeAsyncIterator()
        while let element = try await iterator.next() { all.append(element) }
        return all
    }
}
