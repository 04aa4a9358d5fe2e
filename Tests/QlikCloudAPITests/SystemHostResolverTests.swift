import Foundation
@testable import HostResolution
import QlikConnections
import Synchronization
import Testing

@Suite("The system resolver")
struct SystemHostResolverTests {
    @Test("lookups run on NIO's thread pool, never on the Swift concurrency threads, which a slow DNS server would otherwise hold")
    func lookupsRunOnTheThreadPool() async throws {
        // Where each blocking lookup ran, by thread name: NIOThreadPool names its threads "TP-#<n>" (the singleton "SGLTN-TP-#<n>"); the cooperative pool's have other names.
        let threads = ThreadNames()
        let resolver = SystemHostResolver(blockingLookUp: { _, _, _ in
            threads.append(Self.currentThreadName())
            return .success([HostAddress(bytes: [127, 0, 0, 1])])
        })
        let lookups = ProcessInfo.processInfo.activeProcessorCount + 2
        try await withThrowingTaskGroup(of: [HostAddress].self) { group in
            for index in 0..<lookups { group.addTask { try await resolver.addresses(of: "slow-\(index).test.invalid", port: 443) } }
            var answered = 0
            for try await addresses in group where addresses.map(\.description) == ["127.0.0.1"] { answered += 1 }
            #expect(answered == lookups)
        }
        let names = threads.names
        #expect(names.count == lookups && names.allSatisfy { $0.contains("TP-#") }, "\(names)")
    }

    /// The kernel's name for the calling thread (what NIO set when it started it).
    static func currentThreadName() -> String {
        let path = "/proc/thread-self/comm"
        return ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "unreadable \(path)").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    final class ThreadNames: Sendable {
        private let kept = Mutex<[String]>([])
        func append(_ name: String) { kept.withLock { $0.append(name) } }
        var names: [String] { kept.withLock { $0 } }
    }

    @Test("'localhost' resolves to loopback addresses only; a name that does not resolve is refused naming it, with what to check")
    func resolves() async throws {
        let addresses = try await SystemHostResolver().addresses(of: "localhost", port: 80)
        #expect(!addresses.isEmpty && addresses.allSatisfy { $0.description == "127.0.0.1" || $0.description == "::1" }, "\(addresses)")
        let refused = await #expect(throws: HostRefusal.self) { try await SystemHostResolver().addresses(of: "no-such-host.invalid", port: 80) }
        #expect(refused?.reason.contains("no-such-host.invalid does not resolve") == true && refused?.hint != nil, "\(refused?.description ?? "")")
    }
}
