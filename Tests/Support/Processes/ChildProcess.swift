public import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A program the tests run (the built binary, openssl, curl, Python peers), spawned with `posix_spawn` instead of
/// Foundation's `Process`: on Linux, swift-corelibs-foundation 6.3.1's `Process.run()` copies 256 bytes out of each
/// `/proc/self/fd` entry and so reads past readdir's buffer when many descriptors are open (fixed upstream after
/// 6.3.1, swift-corelibs-foundation#5472). The test process, with hundreds of sockets open, died there with SIGSEGV.
///
/// The child gets the descriptors it is given as its standard streams and no other (everything from 3 up is
/// closed), an empty signal mask and default signal actions: spawned from a Dispatch worker thread, which blocks
/// SIGTERM and SIGINT, it would otherwise inherit those blocked and never stop when asked.
public final class ChildProcess: Sendable {
    public struct SpawnError: Error, CustomStringConvertible {
        public let description: String
    }

    /// What a program that ran to its end printed.
    public struct Output: Sendable {
        public let status: Int32
        public let standardOutput: Data
        public let standardError: Data
        public var text: String { String(decoding: standardOutput, as: UTF8.self) }
        public var errors: String { String(decoding: standardError, as: UTF8.self) }
    }

    public let processIdentifier: pid_t
    private let exit = Mutex<(status: Int32?, waiters: [@Sendable (Int32) -> Void])>((nil, []))

    /// Starts `executable` (a path) with the given descriptors as its standard input, output and error; a nil
    /// descriptor is /dev/null. The descriptors stay the caller's to close.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                standardInput: Int32? = nil, standardOutput: Int32? = nil, standardError: Int32? = nil) throws {
        Self.ignoreBrokenPipes
        let null = open("/dev/null", O_RDWR | O_CLOEXEC)
        guard null >= 0 else { throw SpawnError(description: "cannot open /dev/null: \(String(cString: strerror(errno)))") }
        defer { close(null) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, standardInput ?? null, 0)
        posix_spawn_file_actions_adddup2(&actions, standardOutput ?? null, 1)
        posix_spawn_file_actions_adddup2(&actions, standardError ?? null, 2)
        if let closeFrom = Self.closeFrom { _ = closeFrom(&actions, 3) }
        if let directory {
            guard let changeDirectory = Self.changeDirectory else {
                throw SpawnError(description: "this C library cannot start a program in another folder (\(directory))")
            }
            _ = directory.withCString { changeDirectory(&actions, $0) }
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var unblocked = sigset_t()
        sigemptyset(&unblocked)
        posix_spawnattr_setsigmask(&attributes, &unblocked)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = (environment ?? ProcessInfo.processInfo.environment).map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid = pid_t()
        let failure = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard failure == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(failure)))")
        }
        processIdentifier = pid
        ChildProcessRecord.started(pid)
        // A thread of its own waits for this child alone (never waitpid(-1)), so no other child's status is taken.
        Thread.detachNewThread { [self] in reap() }
    }

    private func reap() {
        // Seen to end but not yet reaped, its process id cannot go to another child before its record is gone.
        var info = siginfo_t()
        while waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOWAIT) == -1 && errno == EINTR {}
        ChildProcessRecord.ended(processIdentifier)
        var raw: Int32 = 0
        while waitpid(processIdentifier, &raw, 0) == -1 {
            guard errno == EINTR else { raw = 0x7f; break }
        }
        // The status as Foundation reported it: the exit code, or the number of the signal that ended the program.
        let status = raw & 0x7f == 0 ? (raw >> 8) & 0xff : raw & 0x7f
        let waiters = exit.withLock { state in
            state.status = status
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0(status) }
    }

    /// Whether the program is still running (has not been seen to end).
    public var isRunning: Bool { exit.withLock { $0.status == nil } }

    /// Waits, without holding a thread, for the program to end; its exit code, or the signal that ended it.
    public func status() async -> Int32 {
        await withCheckedContinuation { continuation in whenEnded { continuation.resume(returning: $0) } }
    }

    /// Blocks the calling thread until the program ends: only for a test that cannot wait asynchronously (a
    /// synchronous helper) and runs something short.
    public func waitUntilExit() -> Int32 {
        let ended = DispatchSemaphore(value: 0), status = Mutex<Int32>(0)
        whenEnded { value in
            status.withLock { $0 = value }
            ended.signal()
        }
        ended.wait()
        return status.withLock { $0 }
    }

    private func whenEnded(_ body: @escaping @Sendable (Int32) -> Void) {
        let ended: Int32? = exit.withLock { state in
            if let status = state.status { return status }
            state.waiters.append(body)
            return nil
        }
        if let ended { body(ended) }
    }

    /// Sends `signal` (SIGTERM unless told), as `kill` would, if the program is still running.
    public func signal(_ signal: Int32 = SIGTERM) {
        if isRunning { kill(processIdentifier, signal) }
    }

    /// Runs a program to its end with `input` on its standard input; what it prints goes through unlinked files,
    /// so no pipe can fill up while nobody reads it.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                           directory: String? = nil, input: Data = Data()) async throws -> Output {
        let (child, output, errors) = try launch(executable, arguments, environment: environment, directory: directory, input: input)
        let status = await child.status()
        return Output(status: status, standardOutput: try output.contents(), standardError: try errors.contents())
    }

    /// `run`, blocking the calling thread: for synchronous helpers that run something short (openssl, git).
    public static func runWaiting(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                                  directory: String? = nil, input: Data = Data()) throws -> Output {
        let (child, output, errors) = try launch(executable, arguments, environment: environment, directory: directory, input: input)
        let status = child.waitUntilExit()
        return Output(status: status, standardOutput: try output.contents(), standardError: try errors.contents())
    }

    private static func launch(_ executable: String, _ arguments: [String], environment: [String: String]?,
                               directory: String?, input: Data) throws -> (ChildProcess, CapturedFile, CapturedFile) {
        let output = try CapturedFile(), errors = try CapturedFile()
        let pipeEnds = try pipe()
        let child: ChildProcess
        do {
            child = try ChildProcess(executable, arguments, environment: environment, directory: directory,
                                     standardInput: pipeEnds[0], standardOutput: output.descriptor, standardError: errors.descriptor)
        } catch {
            close(pipeEnds[0])
            close(pipeEnds[1])
            throw error
        }
        close(pipeEnds[0])
        let writer = pipeEnds[1]
        // Written from a thread of its own: a large input blocks until the program reads it.
        Thread.detachNewThread {
            input.withUnsafeBytes { bytes in
                var offset = 0
                while offset < bytes.count {
                    let written = write(writer, bytes.baseAddress! + offset, bytes.count - offset)
                    if written < 0 && errno == EINTR { continue }
                    guard written > 0 else { break }  // the program closed its input or ended: the rest is not wanted
                    offset += written
                }
            }
            close(writer)
        }
        return (child, output, errors)
    }

    /// A pipe whose two ends (read, write) close on exec, so no other child started meanwhile holds them open.
    public static func pipe() throws -> [Int32] {
        var ends: [Int32] = [0, 0]
        guard let makePipe, makePipe(&ends, O_CLOEXEC) == 0 else {
            throw SpawnError(description: "cannot make a pipe: \(String(cString: strerror(errno)))")
        }
        return ends
    }

    /// A child's end of a broken pipe must not stop the test process.
    private static let ignoreBrokenPipes: Void = { _ = Glibc.signal(SIGPIPE, SIG_IGN) }()

    // GNU additions to POSIX, which the Glibc module does not import.
    private typealias MakePipe = @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32
    private static let makePipe: MakePipe? = dlsym(nil, "pipe2").map { unsafeBitCast($0, to: MakePipe.self) }
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32
    private static let closeFrom: CloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np").map { unsafeBitCast($0, to: CloseFrom.self) }
    private static let changeDirectory: ChangeDirectory? = dlsym(nil, "posix_spawn_file_actions_addchdir_np").map { unsafeBitCast($0, to: ChangeDirectory.self) }
}

/// A temporary file, unlinked as soon as it is open, that a child writes and the parent then reads whole.
private final class CapturedFile: Sendable {
    let descriptor: Int32

    init() throws {
        let path = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("child-output-\(UUID().uuidString)").path
        descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ChildProcess.SpawnError(description: "cannot make a temporary file: \(String(cString: strerror(errno)))")
        }
        unlink(path)
    }

    func contents() throws -> Data {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 65_536)
        guard lseek(descriptor, 0, SEEK_SET) == 0 else {
            throw ChildProcess.SpawnError(description: "cannot read a child's output: \(String(cString: strerror(errno)))")
        }
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count >= 0 else {
                throw ChildProcess.SpawnError(description: "cannot read a child's output: \(String(cString: strerror(errno)))")
            }
            if count == 0 { return data }
            data.append(contentsOf: chunk[0..<count])
        }
    }

    deinit { close(descriptor) }
}
