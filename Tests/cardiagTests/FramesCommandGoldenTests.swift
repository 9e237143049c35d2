import Foundation
import Testing

/// Runs the built `cardiag` binary and compares its stdout, stderr and exit status with the golden files in
/// `Fixtures/golden/`. Set `CARDIAG_UPDATE_GOLDEN=1` to rewrite them after a deliberate change.
@Suite struct FramesCommandGoldenTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `cardiag` built next to this test bundle, else the debug build.
    static var binary: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("cardiag")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return packageRoot.appendingPathComponent(".build/debug/cardiag")
    }

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
    ]

    @Test(arguments: cases)
    func matchesGolden(_ testCase: Case) throws {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = testCase.arguments
        process.currentDirectoryURL = Self.packageRoot
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        if let input = testCase.stdin {
            process.standardInput = try FileHandle(forReadingFrom: Self.packageRoot.appendingPathComponent(input))
        }
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let actual = "status: \(process.terminationStatus)\n--- stdout\n" + String(decoding: output, as: UTF8.self)
            + "--- stderr\n" + String(decoding: errors, as: UTF8.self)
        let golden = Self.packageRoot.appendingPathComponent("Fixtures/golden/\(testCase.name).txt")
        if ProcessInfo.processInfo.environment["CARDIAG_UPDATE_GOLDEN"] == "1" {
            try actual.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        #expect(actual == expected)
    }
}
