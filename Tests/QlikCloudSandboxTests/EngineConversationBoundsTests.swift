import Foundation
import QVD
import Testing
@testable import QlikCloudSandbox

/// What one socket keeps for later is bounded: selection history, temporary selection states, temporary bookmarks.
@Suite("Sandbox engine: per-session state is bounded")
struct EngineConversationBoundsTests {
    @Test("Back keeps the last 100 steps: after 105 changes, 100 steps back reach the 5th selection and no further")
    func historyCap() {
        var state = SelectionState()
        for step in 1...105 { state.update { $0.values["Step"] = [.integer(Int64(step))] } }
        #expect(state.back.count == SelectionState.historyLimit)
        var steps = 0
        while state.goBack() { steps += 1 }
        #expect(steps == SelectionState.historyLimit)
        #expect(state.current.values["Step"] == [.integer(5)])
    }

    @Test("the 101st temporary selection state drops the oldest: restoring it answers false, the newest true")
    func temporaryStateCap() async throws {
        var app = try await AssociativeFixture.make()
        var ids: [String] = []
        for _ in 0...SelectionState.temporaryLimit {
            ids.append(try #require(try await app.result("StoreTempSelectionState")["qId"] as? String))
        }
        #expect(try await app.result("RestoreTempSelectionState", [ids[0]])["qReturn"] as? Bool == false)
        #expect(try await app.result("RestoreTempSelectionState", [ids[1]])["qReturn"] as? Bool == true)
        #expect(try await app.result("RestoreTempSelectionState", [ids[SelectionState.temporaryLimit]])["qReturn"] as? Bool == true)
    }

    @Test("a temporary selection state lives qTTLOfTempState seconds, 30 minutes when none is given")
    func temporaryStateLifetime() throws {
        var state = SelectionState()
        let start = Date(timeIntervalSince1970: 1_000_000)
        let short = state.storeTemporary(now: start, seconds: 60)
        let standard = state.storeTemporary(now: start, seconds: 0)
        #expect(state.temporary(short, now: start.addingTimeInterval(59)) != nil)
        #expect(state.temporary(short, now: start.addingTimeInterval(61)) == nil)
        #expect(state.temporary(standard, now: start.addingTimeInterval(29 * 60)) != nil)
        #expect(state.temporary(standard, now: start.addingTimeInterval(31 * 60)) == nil)
    }

    @Test("the 101st temporary bookmark drops the oldest: applying it answers false, the newest true")
    func temporaryBookmarkCap() async throws {
        var app = try await AssociativeFixture.make()
        var ids: [String] = []
        for _ in 0...SelectionState.temporaryLimit {
            ids.append(try #require(try await app.result("CreateTemporaryBookmark", [["qIncludeVariables": false, "qIncludeAllPatches": false]])["qId"] as? String))
        }
        #expect(try await app.result("ApplyTemporaryBookmark", [ids[0]])["qReturn"] as? Bool == false)
        #expect(try await app.result("ApplyTemporaryBookmark", [ids[SelectionState.temporaryLimit]])["qReturn"] as? Bool == true)
    }
}
