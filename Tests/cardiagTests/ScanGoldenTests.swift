import Foundation
import Testing

/// Golden output of `cardiag demo`, `scan` against a scenario served in-process (hidden `--scenario`), `clear`
/// without `--yes` and `monitor --input`, under `Fixtures/golden/scan/`. Scans run with the hidden
/// `--virtual-time` (a stepped clock starting at a fixed Unix time), one ECU at a time and a P2 of 500 ms, so the
/// path through every exchange is the same on every run; the times themselves are masked ("N ms", "T"), since the
/// clock may step a little early on a loaded machine. `CARDIAG_UPDATE_GOLDEN=1` rewrites the files; review the diff.
@Suite struct ScanGoldenTests {
    static func check(_ name: String, _ arguments: [String], stdin: String? = nil) throws -> DecodeGoldenTests.Run {
        let raw = try DecodeGoldenTests.run(arguments, stdin: stdin)
        var run = raw
        run.stdout = Self.masked(raw.stdout)
        let golden = DecodeGoldenTests.packageRoot.appendingPathComponent("Fixtures/golden/scan/\(name).txt")
        if ProcessInfo.processInfo.environment["CARDIAG_UPDATE_GOLDEN"] == "1" {
            try run.transcript.write(to: golden, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        if run.transcript != expected {
            // Kept for the diff: a golden that fails only on a loaded machine is gone by the next run.
            let actual = DecodeGoldenTests.packageRoot.appendingPathComponent(".build/golden-actual/scan-\(name).txt")
            try? FileManager.default.createDirectory(
                at: actual.deletingLastPathComponent(), withIntermediateDirectories: true)
            try? run.transcript.write(to: actual, atomically: true, encoding: .utf8)
        }
        #expect(
            run.transcript == expected,
            "\(name) differs from Fixtures/golden/scan/\(name).txt (this run's output: .build/golden-actual/scan-\(name).txt)"
        )
        return raw
    }

    /// Times ("123 ms") and recorded Unix timestamps made deterministic.
    static func masked(_ text: String) -> String {
        text.replacing(/\b\d+ ms\b/, with: "N ms").replacing(/\b1700000\d{3}\.\d+\b/, with: "T")
            .replacing(/"milliseconds" : \d+/, with: "\"milliseconds\" : N")
    }

    /// The options every scan here runs with.
    static let deterministic = ["--virtual-time", "--concurrency", "1", "--p2", "500"]

    @Test("demo: the failing Remote Connect, with what the codes mean and the plan")
    func demo() throws {
        let run = try Self.check("demo-text", ["demo"] + Self.deterministic)
        #expect(run.status == 0)
        #expect(run.stdout.contains("DCM status: faults present"))
    }

    @Test("demo --format json")
    func demoJSON() throws {
        let run = try Self.check("demo-json", ["demo", "--format", "json", "--no-advice"] + Self.deterministic)
        let document = try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any]
        let scan = document?["scan"] as? [String: Any]
        #expect(scan?["partial"] as? Bool == false)
        #expect(scan?["isoTPBackend"] as? String == "user-space ISO-TP (not a SocketCAN interface)")
    }

    @Test("scan, generic profile: three OBD ECUs asked functionally on 7DF")
    func genericFunctional() throws {
        let run = try Self.check(
            "scan-generic-three-ecus",
            [
                "scan", "--scenario", "Fixtures/scenarios/generic-obd-three-ecus.json", "--profile", "generic",
                "--no-advice",
            ] + Self.deterministic)
        #expect(run.status == 0)
        #expect(run.stdout.contains("P0700"))
    }

    @Test("scan, silent DCM: no response after the retry, exit 0")
    func silentDCM() throws {
        let run = try Self.check(
            "scan-dcm-silent",
            [
                "scan", "--scenario", "Fixtures/scenarios/toyota-dcm-silent.json", "--ecus", "750:C7,750:5F,7E0",
                "--no-advice",
            ] + Self.deterministic)
        #expect(run.status == 0)
    }

    @Test("scan --discover: the ECUs found, and only they, are asked")
    func discover() throws {
        // Not a golden file: how many confirmation probes a sub-address needs depends on where the stepped clock's
        // windows fall. What is found and asked does not.
        let run = try DecodeGoldenTests.run(
            ["scan", "--scenario", "Fixtures/scenarios/toyota-clean.json", "--discover", "--no-advice"]
                + Self.deterministic)
        #expect(run.status == 0)
        #expect(run.stdout.contains("Discovery: 3 ECUs found with "))
        let table = run.stdout.split(separator: "\n").prefix { !$0.hasPrefix("3 ECUs asked") }.filter {
            $0.contains(" UDS ")
        }
        #expect(
            table.map { String($0.prefix(30)) } == [
                "Central gateway   750/758 [5F]", "Telematics (DCM)  750/758 [C7]", "Engine (ECM)      7E0/7E8     ",
            ])
    }

    @Test("clear without --yes prints the plan, sends nothing, exits 1")
    func clearPlan() throws {
        let run = try Self.check("clear-plan", ["clear", "--ecu", "dcm", "-i", "can9"])
        #expect(run.status == 1)
    }

    @Test("monitor --input: a recording decoded as it would be live")
    func monitorFile() throws {
        let run = try Self.check(
            "monitor-dcm-750-c7", ["monitor", "--input", "Fixtures/decode/dcm-750-c7-and-body.log"])
        #expect(run.status == 0)
    }

    @Test("monitor --input -: from standard input")
    func monitorStdin() throws {
        let run = try Self.check(
            "monitor-obd-stdin", ["monitor", "--input", "-", "--profile", "generic"],
            stdin: "Fixtures/decode/obd-modes.log")
        #expect(run.status == 0)
    }

    @Test("monitor --input on a missing file: exit 66")
    func monitorMissing() throws {
        let run = try Self.check("monitor-missing", ["monitor", "--input", "Fixtures/decode/no-such.log"])
        #expect(run.status == 66)
    }
}
