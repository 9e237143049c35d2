import Foundation
import Testing
import TestSupport

/// Runs the built `cardiag` binary and compares its stdout, stderr and exit status with the golden files in
/// `Fixtures/golden/`. Set `CARDIAG_UPDATE_GOLDEN=1` to rewrite them after a deliberate change.
@Suite struct FramesCommandGoldenTests {
    static let packageRoot = TestSupport.packageRoot

    /// The `cardiag` built next to this test bundle, else the debug build.
    static var binary: URL { builtExecutable(named: "cardiag") }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        var stdin: String?
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "frames-demo", arguments: ["frames", "Fixtures/demo/toyota-dcm-b15c4.log"]),
        Case(name: "frames-malformed", arguments: ["frames", "Fixtures/candump/malformed.log"]),
        Case(name: "frames-malformed-strict", arguments: ["frames", "--strict", "Fixtures/candump/malformed.log"]),
        Case(name: "frames-missing", arguments: ["frames", "Fixtures/no-such.log"]),
        Case(name: "frames-screen", arguments: ["frames", "Fixtures/screen/candump-screen.txt"]),
        Case(name: "frames-asc", arguments: ["frames", "--format", "asc", "Fixtures/asc/vector.asc"]),
        Case(name: "frames-pcapng", arguments: ["frames", "Fixtures/pcap/socketcan.pcapng"]),
        Case(name: "frames-gzip-stdin", arguments: ["frames", "-"], stdin: "Fixtures/candump/frames.log.gz"),
        Case(name: "frames-wrong-format", arguments: ["frames", "--format", "csv", "Fixtures/ecomcat/ecomcat.dat"]),
        Case(name: "frames-bad-format-option", arguments: ["frames", "--format", "blf", "Fixtures/asc/vector.asc"]),
        Case(name: "isotp-demo", arguments: ["isotp", "Fixtures/demo/toyota-dcm-b15c4.log"]),
        Case(name: "isotp-canfd", arguments: ["isotp", "Fixtures/decode/canfd-19-0a.log"]),
        Case(name: "isotp-rejected", arguments: ["isotp", "Tests/RobustnessTests/Golden/inputs/consecutive-out-of-sequence.log"]),
        Case(name: "isotp-pair", arguments: ["isotp", "--pair", "641:651", "Fixtures/isotp/pair-641.log"]),
        Case(name: "isotp-no-pair", arguments: ["isotp", "Fixtures/isotp/pair-641.log"]),
        Case(name: "isotp-bad-pair", arguments: ["isotp", "--pair", "641", "Fixtures/decode/malformed-lines.log"]),
    ]

    @Test(arguments: cases)
    func matchesGolden(_ testCase: Case) throws {
        let run = try CommandRun(
            Self.binary, testCase.arguments, standardInput: testCase.stdin.map { Self.packageRoot.appendingPathComponent($0) })
        let actual = run.transcript
        let golden = Self.packageRoot.appendingPathComponent("Fixtures/golden/\(testCase.name).txt")
        if ProcessInfo.processInfo.environment["CARDIAG_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(actual == expected)
    }
}
