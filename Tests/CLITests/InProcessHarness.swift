import TestCommandLine

extension CommandLineHarness {
    /// The command library's tests run the built binary for now, like the end-to-end tests: three full runs of the
    /// suite on 2026-12-06 crashed the test process (SIGSEGV reading past a mapping, in Process.run and in JSONDecoder)
    /// once commands also ran inside it, and the cause is not found. `.inProcess` comes back once it is.
    convenience init() throws { try self.init(mode: .binary) }
}
