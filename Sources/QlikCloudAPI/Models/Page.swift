/// The envelope of Qlik's lists: `data` plus `links.next.href`.
struct Page<Element: Decodable & Sendable>: Decodable, Sendable {
    struct Link: Decodable, Sendable { let href: String? }
    struct Links: Decodable, Sendable { let next: Link? }

    let data: [Element]
    let links: Links?
}
