/// A Qlik list as an AsyncSequence: each page is fetched when the previous
/// one is used up, following `links.next.href` until there is none.
public struct PagedList<Element: Decodable & Sendable>: AsyncSequence, Sendable {
    let client: QlikCloudClient
    let path: String
    let query: [(String, String?)]

    public struct AsyncIterator: AsyncIteratorProtocol {
        let client: QlikCloudClient
        var next: (path: String, query: [(String, String?)])?
        var buffer: [Element] = []
        var index = 0

        public mutating func next() async throws(QlikAPIError) -> Element? {
            while index == buffer.count {
                guard let request = next else { return nil }
                let page = try await client.get(Page<Element>.self, request.path, query: request.query)
                buffer = page.data
                index = 0
                // Lists whose last page still names a next link with nothing on it would loop: stop at an empty page.
                next = page.data.isEmpty ? nil : page.links?.next?.href.map { ($0, []) }
            }
            defer { index += 1 }
            return buffer[index]
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(client: client, next: (path, query))
    }

    /// Every element, page after page.
    public func collect() async throws(QlikAPIError) -> [Element] {
        var all: [Element] = []
        var iterator = makeAsyncIterator()
        while let element = try await iterator.next() { all.append(element) }
        return all
    }
}
