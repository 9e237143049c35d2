import CANCore
import CANLog
import DTC
import Diagnostics
import Foundation
import Testing

/// SplitMix64: a small seeded generator, so every property test sees the same cases on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension SeededGenerator {
    static let fdLengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]

    /// Any frame a log can hold: classic, FD (every valid length and flag), remote (every requested length),
    /// error; 11- and 29-bit ids over their whole range; microsecond timestamps.
    mutating func frame(time: inout Duration) -> CANFrame {
        let extended = Bool.random(using: &self)
        let id =
            extended
            ? CANIdentifier.extended(.random(in: 0...0x1FFF_FFFF, using: &self))!
            : CANIdentifier.standard(.random(in: 0...0x7FF, using: &self))!
        let kind: CANFrame.Kind
        let length: Int
        switch Int.random(in: 0..<10, using: &self) {
        case 0..<5:
            kind = .classic
            length = .random(in: 0...8, using: &self)
        case 5..<8:
            kind = .fd(CANFDFlags(rawValue: .random(in: 0...3, using: &self)))
            length = Self.fdLengths.randomElement(using: &self)!
        case 8:
            kind = .remote(requestedLength: .random(in: 0...15, using: &self))
            length = 0
        default:
            kind = .error(CANErrorClass(rawValue: .random(in: 1...0x1FF, using: &self)))
            length = 8
        }
        let data = (0..<length).map { _ in UInt8.random(in: 0...255, using: &self) }
        time += .microseconds(Int.random(in: 0...2_000_000, using: &self))
        let frameID = if case .error(let classes) = kind { CANIdentifier.extended(classes.rawValue)! } else { id }
        return try! CANFrame(
            id: frameID, kind: kind, data: CANPayload(data)!, timestamp: time, interface: "vcan\(length % 3)")
    }
}

@Suite struct PropertyRobustnessTests {
    /// Frame → `CandumpLogWriter` line → `LogReader` → the same frame, for every kind, id width and length.
    @Test(arguments: [1, 2, 3] as [UInt64])
    func candumpLinesRoundTrip(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        var time = Duration.seconds(1_700_000_000)
        let frames = (0..<3000).map { _ in random.frame(time: &time) }
        let writer = CandumpLogWriter()
        var text: [UInt8] = []
        for frame in frames { writer.append(frame, to: &text) }
        let reader = try LogReader(
            source: MemoryByteSource(text, chunkSize: 1 + Int(seed) * 37), name: "written",
            options: LogReader.Options(format: .candumpLog, strict: true))
        let back = try reader.readAll()
        try #require(back.count == frames.count)
        for (written, read) in zip(frames, back) {
            #expect(read.id == written.id, "\(writer.line(for: written))")
            #expect(read.kind == written.kind, "\(writer.line(for: written))")
            #expect(Array(read.data) == Array(written.data), "\(writer.line(for: written))")
            #expect(read.timestamp == written.timestamp)
            #expect(read.interface == written.interface)
        }
    }

    /// Regression (fuzz, log-candump): an interface name that is not printable ASCII — what a mangled log or a
    /// pcapng block can give — is written so that the line still reads back.
    @Test(arguments: [
        "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}can0", "my can", "", "a-very-long-interface-name",
    ])
    func interfaceNamesAlwaysReadBack(_ name: String) throws {
        let frame = try CANFrame.classic(
            .standard(0x7E8)!, [0x02, 0x10, 0x03], timestamp: .seconds(1), interface: name)
        let line = CandumpLogWriter().line(for: frame)
        let reader = try LogReader(
            source: MemoryByteSource(Array((line + "\n").utf8)), name: "line",
            options: LogReader.Options(format: .candumpLog, strict: true))
        let back = try #require(try reader.next(), "\(line)")
        #expect(Array(back.data) == [0x02, 0x10, 0x03])
        #expect((back.interface ?? "").utf8.count <= 15)
    }

    /// Regression (fuzz, log-pcapng): a timestamp beyond what 18 digits of seconds hold is written as the
    /// latest time the parsers read, so the line still reads back.
    @Test func hugeTimestampsReadBack() throws {
        let frame = try CANFrame.classic(.standard(0x123)!, [1], timestamp: .seconds(Int64.max), interface: "can0")
        let line = CandumpLogWriter().line(for: frame)
        #expect(line == "(999999999999999999.000000) can0 123#01")
        let reader = try LogReader(
            source: MemoryByteSource(Array((line + "\n").utf8)), name: "line",
            options: LogReader.Options(format: .candumpLog, strict: true))
        #expect(try reader.next()?.timestamp == .seconds(999_999_999_999_999_999))
    }

    /// Regression (fuzz, log-pcap): a pcap record whose fraction of a second is a million units or more is
    /// carried into the seconds instead of overflowing.
    @Test(arguments: [false, true])
    func pcapFractionsAboveOneSecondCarry(nanoseconds: Bool) throws {
        var file: [UInt8] = nanoseconds ? [0x4D, 0x3C, 0xB2, 0xA1] : [0xD4, 0xC3, 0xB2, 0xA1]
        file += [2, 0, 4, 0] + [UInt8](repeating: 0, count: 8) + [0, 0, 4, 0] + [227, 0, 0, 0]
        let fraction: UInt32 = 0xFFFF_FFFF
        let record: [UInt8] =
            [0, 0, 0, 0] + withUnsafeBytes(of: fraction.littleEndian, Array.init) + [16, 0, 0, 0, 16, 0, 0, 0]
        let packet: [UInt8] = [0x00, 0x00, 0x07, 0xE8, 3, 0, 0, 0, 0x02, 0x10, 0x03, 0, 0, 0, 0, 0]
        let reader = try LogReader(source: MemoryByteSource(file + record + packet), name: "pcap")
        let frame = try #require(try reader.next())
        let expected: Duration = nanoseconds ? .nanoseconds(Int64(fraction)) : .microseconds(Int64(fraction))
        #expect(frame.timestamp == expected)
        #expect(Array(frame.data) == [0x02, 0x10, 0x03])
    }

    /// DTC bytes → text → bytes: every two-byte code with a spread of failure types, in each text form.
    @Test func dtcBytesTextBytes() throws {
        var random = SeededGenerator(seed: 7)
        for code in 0...0xFFFF {
            let high = UInt8(code >> 8), middle = UInt8(code & 0xFF), low = UInt8.random(in: 0...255, using: &random)
            let dtc = DiagnosticTroubleCode(udsHigh: high, middle: middle, low: low)
            for text in [dtc.description, dtc.compactText, dtc.hyphenatedText] {
                let parsed = try #require(DiagnosticTroubleCode(text), "\(text)")
                #expect(parsed.code.rawValue == UInt16(code) && parsed.failureType?.rawValue == low, "\(text)")
            }
            #expect(DTCCode(dtc.code.description)?.rawValue == UInt16(code))
        }
    }

    /// Random traffic, mostly on diagnostic ids with ISO-TP-like first bytes, through the whole decoder: every
    /// frame lands in exactly one bucket, however broken the conversations are.
    @Test(arguments: [11, 12, 13, 14, 15] as [UInt64])
    func frameBucketsAddUpForRandomTraffic(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let ids: [CANIdentifier] = [
            .standard(0x750)!, .standard(0x758)!, .standard(0x7DF)!, .standard(0x7E0)!, .standard(0x7E8)!,
            .standard(0x7C0)!, .standard(0x7C8)!, .standard(0x2C1)!, .extended(0x18DA_F110)!, .extended(0x18DB_33F1)!,
        ]
        var decoder = LogDecoder()
        var time = Duration.seconds(1_700_000_000)
        let count = 5000
        for _ in 0..<count {
            var data = (0..<Int.random(in: 0...8, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random)
            }
            let id = ids.randomElement(using: &random)!
            let pciAt = (id == .standard(0x750)! || id == .standard(0x758)!) ? 1 : 0
            if data.count > pciAt, Bool.random(using: &random) {
                // A plausible PCI: SF, FF, CF or FC with small lengths and sequence numbers.
                data[pciAt] = [0x02, 0x03, 0x06, 0x10, 0x21, 0x22, 0x23, 0x30, 0x31, 0x32].randomElement(
                    using: &random)!
                if data.count > 1 + pciAt, data[pciAt] == 0x10 { data[1 + pciAt] = .random(in: 8...40, using: &random) }
                if pciAt == 1 { data[0] = Bool.random(using: &random) ? 0xC7 : .random(in: 0...255, using: &random) }
            }
            time += .microseconds(
                Int.random(in: 0...(Int.random(in: 0...20, using: &random) == 0 ? 3_000_000 : 20_000), using: &random))
            decoder.feed(try! CANFrame.classic(id, data, timestamp: time))
        }
        let summary = decoder.finish().summary
        #expect(summary.frames == count)
        #expect(summary.frameBuckets.values.reduce(0, +) == count, "\(summary.frameBuckets)")
        #expect(summary.frameBuckets.values.allSatisfy { $0 >= 0 })
    }

    /// `cardiag decode --format json` for every decode fixture, read back with JSONSerialization, holds the
    /// same DTC records, ECUs and summary as the report it was made from.
    @Test(arguments: [
        "decode/uds-19-02-single-and-multi.log", "decode/dcm-750-c7-and-body.log", "decode/kwp-older-toyota.log",
        "decode/obd-modes.log", "decode/response-pending-78.log", "decode/canfd-19-0a.log",
        "decode/normal-fixed-29bit.log", "demo/toyota-dcm-b15c4.log",
    ])
    func jsonReadsBackAsTheReport(_ path: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let reader = try LogReader(path: root.appendingPathComponent("Fixtures/" + path).path)
        var decoder = LogDecoder()
        while let frame = try reader.next() { decoder.feed(frame) }
        let report = decoder.finish(skippedLines: reader.skipped)
        let text = DiagnosticReportJSON(report: report, input: ["file": path]).text()
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(document["schemaVersion"] as? Int == DiagnosticReportJSON.schemaVersion)
        #expect((document["input"] as? [String: String]) == ["file": path])

        let dtcs = try #require(document["dtcs"] as? [[String: Any]])
        try #require(dtcs.count == report.dtcs.count)
        for (json, record) in zip(dtcs, report.dtcs) {
            let text = try #require(json["text"] as? String)
            let parsed = try #require(DiagnosticTroubleCode(text))
            #expect(parsed.code == record.dtc.code)
            #expect(parsed.failureType == record.dtc.failureType)
            #expect((json["failureType"] as? Int).map(UInt8.init) == record.dtc.failureType?.rawValue)
            #expect((json["status"] as? Int).map(UInt8.init) == record.dtc.status?.rawValue)
            #expect(json["source"] as? String == record.source.rawValue)
            #expect(json["service"] as? String == record.service)
            let ecu = try #require(json["ecu"] as? [String: Any])
            #expect((ecu["requestId"] as? Int).map(UInt32.init) == record.ecu.requestID.value)
            #expect((ecu["responseId"] as? Int).map(UInt32.init) == record.ecu.responseID.value)
            #expect((ecu["extendedAddress"] as? Int).map(UInt8.init) == record.ecu.extendedAddress)
            if let timestamp = record.timestamp {
                let seconds = try #require(json["timestamp"] as? Double)
                #expect(
                    abs(
                        seconds - Double(timestamp.components.seconds)
                            - Double(timestamp.components.attoseconds) / 1e18) < 1e-5)
            }
        }
        let ecus = try #require(document["ecus"] as? [[String: Any]])
        #expect(ecus.count == report.ecus.count)
        for (json, ecu) in zip(ecus, report.ecus) {
            #expect((json["requestId"] as? Int).map(UInt32.init) == ecu.address.requestID.value)
            #expect(json["answered"] as? Bool == ecu.answered)
        }
        let summary = try #require(document["summary"] as? [String: Any])
        #expect(summary["frames"] as? Int == report.summary.frames)
        #expect(summary["messages"] as? Int == report.summary.messages)
        #expect(summary["skippedLines"] as? Int == report.summary.skippedLines)
        #expect(summary["dtcRecords"] as? Int == report.dtcs.count)
        #expect(summary["frameBuckets"] as? [String: Int] == report.summary.frameBuckets)
        #expect((document["dcmStatus"] is NSNull) == (report.dcmStatus == nil))
    }
}
