import CANLog
import Diagnostics
import Foundation
import Testing

/// Every fixture log we made (all formats, under `Fixtures/`): decoding it puts every frame the reader
/// produced in exactly one bucket of `summary.frameBuckets`.
@Suite struct FrameAccountingTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Paths relative to `Fixtures/`, without the golden outputs and the README.
    static let logs: [String] = {
        let enumerator = FileManager.default.enumerator(at: fixtures, includingPropertiesForKeys: [.isRegularFileKey])
        var paths: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            let relative = String(url.standardizedFileURL.path.dropFirst(fixtures.standardizedFileURL.path.count + 1))
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                !relative.hasPrefix("golden/"), !relative.hasPrefix("fuzz/"), !relative.hasSuffix(".md")
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
