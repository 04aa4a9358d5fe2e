import TestCommandLine

extension CommandLineHarness {
    /// The end-to-end tests run the built binary for every command.
    convenience init() throws { try self.init(mode: .binary) }
}
