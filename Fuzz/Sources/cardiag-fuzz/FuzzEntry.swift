// libFuzzer entry points for every CarDiag harness in one binary. The harness is named by the environment
// variable CARDIAG_FUZZ_HARNESS (see `Harness.all`); `Fuzz/run` sets it.
import Harnesses

#if canImport(Glibc)
    import Glibc
#endif

/// The harness named by the environment, chosen once (a global is initialised lazily and atomically).
let selected: Harness = {
    let name = getenv("CARDIAG_FUZZ_HARNESS").map { String(cString: $0) } ?? ""
    if name == "list" {
        // For Fuzz/run: one line per harness, its seed folders and its inline seeds in hex ("-" for none), with
        // the seeds made from the logs under CARDIAG_FUZZ_ROOT (the package root) when it is set.
        let digits = Array("0123456789abcdef")
        let root = getenv("CARDIAG_FUZZ_ROOT").map { String(cString: $0) }
        for harness in Harness.all {
            let seeds = (root.map { harness.seeds(fromLogsUnder: $0) } ?? harness.seeds).map {
                String($0.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
            }
            let folders = harness.seedFolders.isEmpty ? "-" : harness.seedFolders.joined(separator: ",")
            print("\(harness.name) \(folders) \(seeds.isEmpty ? "-" : seeds.joined(separator: ","))")
        }
        exit(0)
    }
    guard let harness = Harness.named(name) else {
        print("cardiag-fuzz: set CARDIAG_FUZZ_HARNESS to one of: " + Harness.all.map(\.name).joined(separator: " "))
        exit(2)
    }
    return harness
}()

@_cdecl("LLVMFuzzerInitialize")
public func initialize(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>
) -> CInt {
    _ = selected
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func testOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let findings = selected.run(bytes)
    if !findings.isEmpty { fatalError("\(selected.name): " + findings.joined(separator: "; ")) }
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The program's entry: SwiftPM links an executable target's `main` to `<module>_main`, so this hands the
/// command line to libFuzzer's driver instead of relying on libFuzzer's own `main`.
@_cdecl("cardiag_fuzz_main")
public func fuzzMain(
    _ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> CInt {
    var count = argc
    var arguments = argv
    return withUnsafeMutablePointer(to: &count) { countPointer in
        withUnsafeMutablePointer(to: &arguments) {
            runDriver(countPointer, $0) { data, size in testOneInput(data, size) }
        }
    }
}
