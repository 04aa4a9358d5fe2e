import Foundation
import UseCases

extension MasterKeyLocation {
    /// The key named by --master-key-file, the environment, or the data folder's managed key.
    init(_ options: GlobalOptions) {
        self.init(keyFile: options.masterKeyFile, dataDirectory: options.resolvedDataDirectory, environment: options.environment)
    }
}

/// What loading the keys did on its own (a key generated, a rotation finished), told on standard error.
func printNotice(_ notice: MasterKeyLocation.Notice) {
    Terminal.current.error(notice.description)
}
