import CANCore
import CANLog
import DTC
import Diagnostics
import Foundation
import ISOTP
import Testing
import TestSupport

/// Decodes the third-party captures in `../shared/captures` (see the README there; never copied into the repo)
/// and checks what a person can verify by hand from their frames. Skipped when the folder is absent.
@Suite(.enabled(if: SharedCaptures.available, "../shared/captures is not present"))
struct CaptureDecodeTests {
    static let folder = SharedCaptures.folder

    static let kona = "hyundai-kona-ev-can-logs/221210-1-2021-dcan-car-scanner-elm327.csv"
    static let isf = "isf-canbus-gateway-techstream/techstream_initialization.csv"

    /// Scapy's traces use ids outside the default diagnostic rules (ISOTPFlowTracker.Configuration docs).
    static let scapyPairs: [ISOTPFlowTracker.Pair] = [
        .init(request: .standard(0x641)!, response: .standard(0x651)!),
        .init(request: .standard(0x710)!, response: .standard(0x77A)!),
        .init(request: .standard(0x700)!, response: .standard(0x77D)!),
    ]

    struct Decoded {
        let report: DiagnosticReport
        let framesRead: Int
    }

    static func decode(_ relativePath: String, pairs: [ISOTPFlowTracker.Pair] = []) throws -> Decoded {
        let reader = try LogReader(path: folder.appendingPathComponent(relativePath).path)
        var decoder = LogDecoder(tracker: ISOTPFlowTracker.Configuration(additionalPairs: pairs))
        while let frame = try reader.next() { decoder.feed(frame) }
        return Decoded(report: decoder.finish(skippedLines: reader.skipped), framesRead: reader.framesRead)
    }

    static func ecu(_ report: DiagnosticReport, _ request: UInt32, _ response: UInt32) throws -> ECUReport {
        try #require(
            report.ecus.first { $0.address.requestID.value == request && $0.address.responseID.value == response })
    }

    // MARK: - Hyundai Kona (UDS 0x19 answers)

    /// `7BF: 07 59 02 FF 58 12 87 28`: 0x58 0x12 is C1812, failure type 0x87, status 0x28 (confirmedDTC +
    /// testFailedSinceLastClear). Every read from this ECU gives the same record.
    @Test func konaECU7B7ReportsC1812() throws {
        let report = try Self.decode(Self.kona).report
        let records = try Self.ecu(report, 0x7B7, 0x7BF).dtcs
        #expect(!records.isEmpty)
        for record in records {
            #expect(record.dtc.hyphenatedText == "C1812-87")
            #expect(record.dtc.status?.rawValue == 0x28)
            #expect(record.source == .uds && record.service == "19 02")
        }
    }

    /// `778: 10 17 59 02 09 96 03 00 | 21 08 A8 01 00 08 56 7C | 22 00 08 A2 11 00 08 58 | 23 29 00 08`: a first
    /// frame and three consecutive frames, 23 bytes, five records with status 0x08.
    @Test func konaMultiFrameAnswerOn778HasFiveDTCs() throws {
        let report = try Self.decode(Self.kona).report
        let records = try Self.ecu(report, 0x770, 0x778).dtcs
        #expect(records.map(\.dtc.hyphenatedText) == ["B1603-00", "B2801-00", "C167C-00", "B2211-00", "C1829-00"])
        #expect(records.allSatisfy { $0.dtc.status?.rawValue == 0x08 })
        // One response: every record carries its last frame's time.
        #expect(Set(records.map(\.timestamp)).count == 1)
    }

    // MARK: - Lexus IS-F with Techstream (KWP2000 and OBD)

    /// `7E0: 02 13 80` → `7E8: 04 53 01 03 35` (and the same for `13 B0`): one code, P0335. OBD mode 07
    /// `47 02 03 35 13 40`: P0335 and P1340 pending.
    @Test func isfKWPAndOBDReads() throws {
        let report = try Self.decode(Self.isf).report
        let engine = try Self.ecu(report, 0x7E0, 0x7E8)
        let kwp = engine.dtcs.filter { $0.source == .kwp }
        #expect(!kwp.isEmpty)
        #expect(kwp.allSatisfy { $0.service == "13" && $0.dtc.code.description == "P0335" && $0.dtc.status == nil })
        let mode07 = engine.dtcs.filter { $0.source == .obd && $0.service == "07" }
        #expect(!mode07.isEmpty && mode07.count % 2 == 0)
        #expect(
            mode07.map(\.dtc.code.description)
                == Array(repeating: ["P0335", "P1340"], count: mode07.count / 2).flatMap { $0 })
        #expect(mode07.allSatisfy { $0.state == "pending" })
        #expect(kwp.allSatisfy { $0.state == nil })
        #expect(engine.protocols.isSuperset(of: [.kwp, .obd]))
        // KWP's bare tester present `3E` → `7E` decodes (it is no UDS message); nothing is left undecodable.
        #expect(report.summary.undecodableMessages == 0)
    }

    // MARK: - Every capture: frame accounting

    static let captures: [(path: String, scapy: Bool)] = [
        (kona, false),
        ("hyundai-kona-ev-can-logs/221210-2-2021-dcan-car-scanner-elm327-vcu-mcu-only.csv", false),
        (isf, false),
        ("isf-canbus-gateway-techstream/techstream_abs_status.csv", false),
        ("carhacking-prius-2010/DIA_fuel_cut_all_cylinders.dat", false),
        ("carhacking-prius-2010/DIA_drivers_seatbelt_motor.dat", false),
        ("scapy/ecu_trace.pcap.gz", true),
        ("scapy/candump_uds_scanner.pcap.gz", true),
        ("scapy/gmlan_trace.pcap.gz", true),
        ("scapy/gmlan_trace.candump.gz", true),
        ("scapy/candump.gz", true),
    ]

    @Test(arguments: captures.map(\.path))
    func everyFrameIsInExactlyOneBucket(_ path: String) throws {
        let scapy = Self.captures.first { $0.path == path }?.scapy ?? false
        let decoded = try Self.decode(path, pairs: scapy ? Self.scapyPairs : [])
        let summary = decoded.report.summary
        #expect(summary.frames == decoded.framesRead)
        #expect(summary.frames > 0)
        #expect(summary.frameBuckets.values.reduce(0, +) == summary.frames, "\(summary.frameBuckets)")
        #expect(summary.skippedLines == 0)
    }

    /// The Prius ECOMCat captures: 0x7E0/0x7E8 (`30 1C 00 0F A5 01` → `70 1C`, multi-frame `E2` replies with flow
    /// control `30 00 04`) and 0x781/0x789 (`21 E1` → `61 E1 ...`). Both ECUs answer and nothing is undecodable.
    @Test(arguments: [
        ("carhacking-prius-2010/DIA_fuel_cut_all_cylinders.dat", UInt32(0x7E0), UInt32(0x7E8)),
        ("carhacking-prius-2010/DIA_drivers_seatbelt_motor.dat", UInt32(0x781), UInt32(0x789)),
    ])
    func priusECUAnswers(_ path: String, request: UInt32, response: UInt32) throws {
        let decoded = try Self.decode(path)
        let ecu = try Self.ecu(decoded.report, request, response)
        #expect(ecu.answered)
        #expect(ecu.servicesRequested[0x30] != nil)
        #expect(decoded.report.summary.undecodableMessages == 0)
        #expect(decoded.report.summary.messages > 100)
    }

    // MARK: - scapy

    /// `710: 02 10 02` → `77A: 03 7F 10 78`, then `06 50 02 00 32 01 F4`; `710: 06 31 01 FF 00 01 01` → four
    /// `7F 31 78` over 14 s, then `05 71 01 FF 00 00`. The request stays open through each 0x78 run, so every
    /// response finds its request, and each run is one negative-response record.
    @Test func ecuTraceHandlesResponsePending() throws {
        let report = try Self.decode("scapy/ecu_trace.pcap.gz", pairs: Self.scapyPairs).report
        let ecu = try Self.ecu(report, 0x710, 0x77A)
        #expect(ecu.negativeResponses.map { [$0.serviceID, $0.code] } == [[0x10, 0x78], [0x31, 0x78]])
        #expect(ecu.unansweredRequests == 0)
        #expect(ecu.protocols == [.uds])
        #expect(report.summary.responsesWithoutRequest == 0)
        #expect(report.summary.undecodableMessages == 0)
        // 0x700 gets `3E 80` every 2 s and `28 81 01`: the suppress bit asks for no reply, so none is missing.
        let functional = try Self.ecu(report, 0x700, 0x77D)
        #expect(functional.servicesRequested[0x3E] == 15)
        #expect(functional.unansweredRequests == 0)
    }

    /// scapy's scanner against 0x641/0x651 tries every service; the ECU answers them, mostly negatively.
    @Test func udsScannerConversationIsPaired() throws {
        let report = try Self.decode("scapy/candump_uds_scanner.pcap.gz", pairs: Self.scapyPairs).report
        let ecu = try Self.ecu(report, 0x641, 0x651)
        #expect(ecu.answered)
        #expect(ecu.servicesRequested.keys.contains(0x19))
        #expect(ecu.negativeResponses.contains { $0.serviceID == 0x19 })
        #expect(report.summary.responsesWithoutRequest == 0)
    }
}
