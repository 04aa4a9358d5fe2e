import TestCommandLine

extension CommandLineHarness {
    /// The command library's tests run each command in this process.
    convenience init() throws { try self.init(mode: .inProcess) }
}
