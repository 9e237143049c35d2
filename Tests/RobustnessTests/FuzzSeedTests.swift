import CANCore
import CANLog
import Foundation
import Testing

@testable import FuzzHarnesses

/// The seeds the ISO-TP and codec harnesses make from `Fixtures/decode`: frames encoded for a harness read back
/// as the same frames, and every seed runs through its harness with no finding.
@Suite struct FuzzSeedTests {
    static let root = FuzzRegressionTests.root.path

    static let logs: [String] = Harness.files(in: root + "/" + Harness.frameSeedFolder).filter { $0.hasSuffix(".log") }

    @Test func thereAreLogsToSeedFrom() {
        #expect(Self.logs.count >= 8)
    }

    /// `FuzzInput.encode` is the inverse of `FuzzInput.frame(at:)`: same id, kind and data, and the time step
    /// to the millisecond.
    @Test(arguments: logs)
    func encodedFramesReadBack(_ log: String) throws {
        let frames = try LogReader(path: Self.root + "/" + Harness.frameSeedFolder + "/" + log).readAll()
        var input = FuzzInput(FuzzInput.encode(frames))
        var time = frames.first?.timestamp ?? .zero
        for frame in frames {
            let read = input.frame(at: &time)
            #expect(
                read.id == frame.id && read.kind == frame.kind && read.data == frame.data, "\(frame) read as \(read)")
            if let stamp = frame.timestamp, stamp - (frames.first?.timestamp ?? .zero) < .seconds(60) {
                // Steps under 128 ms are kept to the millisecond; rounding down accumulates at most 1 ms a frame.
                #expect(time <= stamp + .milliseconds(1))
            }
        }
        #expect(input.isExhausted)
    }

    @Test(arguments: Harness.all.filter { $0.seedsFromFrames != nil }.map(\.name))
    func seedsRunClean(_ name: String) throws {
        let harness = try #require(Harness.named(name))
        let seeds = harness.seeds(fromLogsUnder: Self.root)
        #expect(seeds.count > harness.seeds.count, "\(name) made no seeds from the logs")
        for seed in seeds { #expect(harness.run(seed) == [], "\(name) seed of \(seed.count) bytes") }
    }
}
