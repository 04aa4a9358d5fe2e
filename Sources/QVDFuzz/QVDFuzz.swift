import Foundation
#if !FUZZING
// The fuzzing build compiles the QVD sources into this module (scripts/fuzz-qvd).
import QVD
#endif

/// Reads arbitrary bytes as a QVD the whole way: header, every symbol table,
/// every batch, every value. Anything but a QVDError is a bug the fuzzer finds.
func readEverything(_ bytes: [UInt8]) {
    do {
        let reader = try QVDReader(source: QVDMemory(bytes))
        var iterator = try reader.batches(batchSize: 3)
        while let batch = try iterator.next() {
            for row in 0..<batch.rowCount { _ = batch.row(row).map(\.displayText) }
        }
    } catch {
        // A QVDError is the expected outcome for damaged input; it is typed, so nothing else can arrive here.
        _ = error.description
    }
}

#if FUZZING
/// libFuzzer's entry point (scripts/fuzz-qvd builds it with -sanitize=fuzzer -D FUZZING).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    readEverything(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
/// Without the fuzzer: replays the files named on the command line (a crash reproducer).
@main
struct QVDFuzzReplay {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                exit(1)
            }
            readEverything(Array(data))
            print("\(path): read without a crash")
        }
    }
}
#endif
