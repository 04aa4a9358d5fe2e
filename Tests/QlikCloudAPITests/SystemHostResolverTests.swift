import Foundation
@testable import HostResolution
import QlikConnections
import Testing

@Suite("The system resolver")
struct SystemHostResolverTests {
    @Test("slow lookups wait on NIO's thread pool, never on the Swift concurrency threads: as many as there are cores leave other tasks running")
    func slowLookupsDoNotStopOtherTasks() async throws {
        // A DNS server that takes 2 s, once per cooperative thread: on those threads they would stop every other task for 2 s.
        let resolver = SystemHostResolver(blockingLookUp: { _, _, _ in
            usleep(2_000_000)
            return .success([HostAddress(bytes: [127, 0, 0, 1])])
        })
        let lookups = ProcessInfo.processInfo.activeProcessorCount
        let clock = ContinuousClock()
        try await withThrowingTaskGroup(of: [HostAddress].self) { group in
            for index in 0..<lookups { group.addTask { try await resolver.addresses(of: "slow-\(index).test.invalid", port: 443) } }
            let start = clock.now
            try await Task.sleep(for: .milliseconds(100))
            let waited = clock.now - start
            #expect(waited < .milliseconds(1_500), "a 100 ms sleep took \(waited) while the lookups ran")
            var answered = 0
            for try await addresses in group where addresses.map(\.description) == ["127.0.0.1"] { answered += 1 }
            #expect(answered == lookups)
        }
    }

    @Test("'localhost' resolves to loopback addresses only; a name that does not resolve is refused naming it, with what to check")
    func resolves() async throws {
        let addresses = try await SystemHostResolver().addresses(of: "localhost", port: 80)
        #expect(!addresses.isEmpty && addresses.allSatisfy { $0.description == "127.0.0.1" || $0.description == "::1" }, "\(addresses)")
        let refused = await #expect(throws: HostRefusal.self) { try await SystemHostResolver().addresses(of: "no-such-host.invalid", port: 80) }
        #expect(refused?.reason.contains("no-such-host.invalid does not resolve") == true && refused?.hint != nil, "\(refused?.description ?? "")")
    }
}
