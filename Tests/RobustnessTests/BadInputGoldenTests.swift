import Foundation
import Testing
import TestSupport

/// Bad inputs run through the real `cardiag` binary: what the user sees (stdout, stderr, exit status) for
/// each is compared with `Golden/<name>.txt`. The inputs are in `Golden/inputs/`. Set
/// `CARDIAG_UPDATE_GOLDEN=1` to rewrite the goldens after a deliberate change.
@Suite struct BadInputGoldenTests {
    static let packageRoot = TestSupport.packageRoot
    static let inputs = "Tests/RobustnessTests/Golden/inputs/"

    /// The `cardiag` built next to this test bundle, else the debug build.
    static var binary: URL { builtExecutable(named: "cardiag") }

    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let arguments: [String]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "truncated-pcap", arguments: ["frames", inputs + "truncated.pcap"]),
        Case(name: "truncated-pcap-strict", arguments: ["frames", "--strict", inputs + "truncated.pcap"]),
        Case(name: "cut-mid-hex", arguments: ["frames", inputs + "cut-mid-hex.log"]),
        Case(name: "odd-hex-length", arguments: ["frames", inputs + "odd-hex-length.log"]),
        Case(name: "dlc-larger-than-data", arguments: ["frames", inputs + "dlc-larger-than-data.txt"]),
        Case(name: "fd-length-invalid", arguments: ["frames", inputs + "fd-length-invalid.log"]),
        Case(name: "id-over-29-bits", arguments: ["frames", inputs + "id-over-29-bits.log"]),
        Case(name: "id-over-29-bits-strict", arguments: ["frames", "--strict", inputs + "id-over-29-bits.log"]),
        Case(name: "timestamps-backwards", arguments: ["decode", "--no-advice", inputs + "timestamps-backwards.log"]),
        Case(name: "wrong-magic-pcap", arguments: ["frames", inputs + "wrong-magic.pcap"]),
        Case(name: "wrong-magic-pcap-forced", arguments: ["frames", "--format", "pcap", inputs + "wrong-magic.pcap"]),
        Case(name: "first-frame-4gb", arguments: ["decode", "--no-advice", inputs + "first-frame-4gb.log"]),
        Case(
            name: "consecutive-out-of-sequence",
            arguments: ["decode", "--no-advice", inputs + "consecutive-out-of-sequence.log"]),
        Case(
            name: "response-without-request",
            arguments: ["decode", "--no-advice", inputs + "response-without-request.log"]),
        Case(
            name: "response-pending-forever",
            arguments: ["decode", "--no-advice", inputs + "response-pending-forever.log"]),
        Case(
            name: "overlay-missing-title",
            arguments: ["explain", "B15C4", "--knowledge-base", inputs + "overlay-missing-title.json"]),
        Case(name: "payload-odd-hex", arguments: ["decode", "--payload", "59 02 F"]),
    ]

    @Test func everyInputHasACase() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.packageRoot.path + "/" + Self.inputs)
        let used = Set(
            Self.cases.flatMap(\.arguments).filter { $0.hasPrefix(Self.inputs) }.map { $0.dropFirst(Self.inputs.count) }
        )
        for file in files { #expect(used.contains(Substring(file)), "\(file) is not used by a case") }
    }

    @Test(arguments: cases)
    func matchesGolden(_ testCase: Case) throws {
        // Plain output whatever the terminal.
        let actual = try CommandRun(Self.binary, testCase.arguments, environment: ["NO_COLOR": "1"]).transcript
        let golden = Self.packageRoot.appendingPathComponent("Tests/RobustnessTests/Golden/\(testCase.name).txt")
        if ProcessInfo.processInfo.environment["CARDIAG_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(actual == expected)
    }
}
