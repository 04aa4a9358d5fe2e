import Foundation
import QlikCloudSandbox

/// `sandbox --env-file FILE`: the tenant's address and throwaway credentials as
/// `export` lines, so a shell can `. FILE` once the sandbox is ready. The file
/// appears whole (written aside, then renamed) and readable by its owner only,
/// so a script that waits for it never reads half of it.
struct SandboxEnvironmentFile {
    let path: String

    func write(_ credentials: SandboxCredentials, generatedAppID: String?) throws(CLIError) {
        var lines = [
            ("QLIK_SANDBOX_URL", credentials.baseURL),
            ("QLIK_SANDBOX_API_KEY", credentials.apiKey),
            ("QLIK_SANDBOX_CLIENT_ID", credentials.clientID),
            ("QLIK_SANDBOX_CLIENT_SECRET", credentials.clientSecret),
        ]
        if let generatedAppID { lines.append(("QLIK_SANDBOX_GENERATED_APP_ID", generatedAppID)) }
        // Single quotes: nothing in the values is expanded by the shell that reads them.
        let text = lines.map { "export \($0.0)='\($0.1.replacingOccurrences(of: "'", with: #"'\''"#))'\n" }.joined()
        let target = URL(fileURLWithPath: path)
        let aside = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: aside.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
            throw CLIError.usage("--env-file \(path): the file cannot be written there; name a file in a folder you can write to.")
        }
        guard rename(aside.path, target.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: aside)
            throw CLIError.usage("--env-file \(path): the file cannot be put in place (\(reason)).")
        }
    }
}
