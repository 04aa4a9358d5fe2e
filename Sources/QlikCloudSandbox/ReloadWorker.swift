import Foundation
import ServiceLifecycle

/// Runs queued reloads one after another, for as long as the sandbox runs:
/// a service of the application, so it starts and stops with it.
struct ReloadWorker: Service {
    let tenant: Tenant

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await id in tenant.reloadQueue {
                guard let work = await tenant.startReload(id) else { continue }
                // A short, visible RELOADING phase, as an engine takes time to start; a
                // cancelled sleep means the sandbox is stopping, and so does the worker.
                guard (try? await Task.sleep(for: .milliseconds(20))) != nil else { break }
                let outcome = LoadScript(dataFile: work.files.content).run(work.script)
                await tenant.finishReload(id, outcome: outcome)
            }
        }
    }
}
