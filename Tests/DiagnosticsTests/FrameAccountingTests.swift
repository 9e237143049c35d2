import CANCore
import CANLog
import Diagnostics
import Foundation
import Testing

/// Every fixture log we made (all formats, under `Fixtures/`): decoding it puts every frame the reader
/// produced in exactly one bucket of `summary.frameBuckets`.
@Suite struct FrameAccountingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Paths relative to `Fixtures/`, without golden outputs, scenarios, fuzz inputs and READMEs.
    static let logs: [String] = {
        let enumerator = FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: [.isRegularFileKey])
        var paths: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            let relative = String(url.standardizedFileURL.path.dropFirst(fixtures.standardizedFileURL.path.count + 1))
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                !relative.hasPrefix("golden/"), !relative.hasPrefix("scenarios/"), !relative.hasPrefix("fuzz/"),
                !relative.hasSuffix(".md")
            else { continue }
            paths.append(relative)
        }
        return paths.sorted()
    }()

    @Test func findsTheFixtures() {
        // The decode fixtures alone are eleven logs; the reader fixtures add a dozen more.
        #expect(Self.logs.filter { $0.hasPrefix("decode/") }.count == 11)
        #expect(Self.logs.contains("demo/toyota-dcm-b15c4.log"))
        #expect(Self.logs.contains("pcap/socketcan.pcapng"))
    }

    @Test(arguments: logs)
    func everyFrameIsInExactlyOneBucket(_ path: String) throws {
        let reader = try LogReader(path: Self.fixtures.appendingPathComponent(path).path)
        var decoder = LogDecoder()
        while let frame = try reader.next() { decoder.feed(frame) }
        let summary = decoder.finish(skippedLines: reader.skipped).summary
        #expect(summary.frames == reader.framesRead)
        #expect(summary.frames > 0)
        #expect(summary.frameBuckets.values.reduce(0, +) == summary.frames, "\(summary.frameBuckets)")
        #expect(summary.frameBuckets.values.allSatisfy { $0 >= 0 })
    }
}

/// Frames of a message that reassembles but that no codec reads leave the message buckets for their own.
@Suite struct UndecodablePayloadBucketTests {
    static func frame(_ id: UInt32, _ hex: String, at milliseconds: Int64) -> CANFrame {
        try! CANFrame.classic(.standard(id)!, Hex.bytes(hex)!, timestamp: .milliseconds(milliseconds))
    }

    @Test func aSegmentedAnswerNoCodecReadsIsRejectedWithItsFlowControl() {
        var decoder = LogDecoder()
        // 7E0 asks 19 02 FF; 7E8 answers in a first frame and a consecutive frame, after the tester's flow control,
        // with 10 bytes that hold one and three quarters of a DTC record (no codec reads it); then a negative
        // answer to a second request, which decodes.
        for frame in [
            Self.frame(0x7E0, "031902FF00000000", at: 0), Self.frame(0x7E8, "100A5902FF95C400", at: 10),
            Self.frame(0x7E0, "3000000000000000", at: 11), Self.frame(0x7E8, "210995C400000000", at: 12),
            Self.frame(0x7E0, "0322F19000000000", at: 20), Self.frame(0x7E8, "037F223100000000", at: 30),
            Self.frame(0x123, "1000000000000000", at: 40),
        ] {
            decoder.feed(frame)
        }
        let summary = decoder.finish().summary
        #expect(summary.undecodableMessages == 1)
        #expect(
            summary.frameBuckets == [
                "message": 3, "flowControl": 0, "nonDiagnostic": 1, "rejected.undecodablePayload": 3,
            ])
        #expect(summary.frameBuckets.values.reduce(0, +) == summary.frames)
    }
}
