import CANCore
import Diagnostics
import Testing

/// Runs a sweep to its end in virtual time: `answer` gives each probe's replies (delay, frame), `noise` frames
/// arrive at fixed instants whatever is sent. Returns the result and every probe with its instant.
func simulate(
    _ initial: DiscoverySweep, noise: [(Duration, CANFrame)] = [],
    answer: (CANFrame) -> [(Duration, CANFrame)]
) -> (DiscoveryResult, [(Duration, CANFrame)]) {
    var sweep = initial
    var now = Duration.zero
    var arrivals = noise.sorted { $0.0 < $1.0 }
    var probes: [(Duration, CANFrame)] = []
    sweep.start(at: now)
    for _ in 0..<100_000 {
        switch sweep.poll(at: now) {
        case .finish(let result):
            return (result, probes)
        case .transmit(let frame):
            probes.append((now, frame))
            arrivals += answer(frame).map { (now + $0.0, $0.1) }
            arrivals.sort { $0.0 < $1.0 }
        case .wait(let until):
            if let next = arrivals.first, next.0 <= until {
                arrivals.removeFirst()
                now = max(now, next.0)
                sweep.received(next.1, at: now)
            } else {
                now = max(now, until)
            }
        }
    }
    Issue.record("the sweep did not finish")
    return (.empty, probes)
}

func frame(_ id: UInt32, _ hex: String) -> CANFrame {
    let identifier = id > 0x7FF ? CANIdentifier.extended(id)! : CANIdentifier.standard(id)!
    return try! .classic(identifier, Hex.bytes(hex)!)
}

@Suite("ECU discovery: DiscoverySweep in virtual time")
struct DiscoverySweepTests {
    let quick = DiscoverySweep.Configuration(
        probeInterval: .milliseconds(5), maximumOutstanding: 4, responseTimeout: .milliseconds(50),
        listenTime: .milliseconds(300))

    @Test("every 11-bit id is probed once (7DF left out), at least the interval apart, a bounded number outstanding")
    func rateLimited() {
        let (result, probes) = simulate(DiscoverySweep(scope: .standard11Bit, configuration: quick)) { _ in [] }
        #expect(result.found.isEmpty)
        #expect(probes.count == 247)
        #expect(!probes.contains { $0.1.id.value == 0x7DF })
        #expect(probes.first.map { Hex.spaced($0.1.data) } == "02 3E 00 CC CC CC CC CC")
        #expect(probes.first?.0 == .milliseconds(300))
        for (earlier, later) in zip(probes, probes.dropFirst()) { #expect(later.0 - earlier.0 >= .milliseconds(5)) }
        // At most 4 awaiting a reply: a window of 50 ms holds at most 4 probe instants.
        for (index, probe) in probes.enumerated() {
            let inWindow = probes[index...].prefix { $0.0 < probe.0 + .milliseconds(50) }.count
            #expect(inWindow <= 4)
        }
    }

    @Test(
        "replies that count: a single frame 7E 00, 7E or 7F 3E xx on request + 8, answered twice",
        arguments: [("02 7E 00 CC CC CC CC CC", true), ("01 7E", true), ("03 7F 3E 11 00 00 00 00", true),
            ("02 7E 01", false), ("03 7E 00 00", false), ("10 08 7E 00 00 00 00 00", false), ("02 50 01", false),
            ("", false), ("30 00 00", false)])
    func wellFormed(reply: String, counts: Bool) {
        let (result, probes) = simulate(DiscoverySweep(candidates: [.standard(request: 0x7B0)!], configuration: quick)) {
            probe in [(.milliseconds(3), frame(probe.id.value + 8, reply))]
        }
        #expect(result.found.map(\.address.description) == (counts ? ["7B0/7B8"] : []))
        #expect(probes.count == (counts ? 2 : 1))
        #expect(result.unsolicitedFrames == (counts ? 0 : 1))
    }

    @Test("an answer on another id than request + 8 does not count")
    func wrongID() {
        let (result, _) = simulate(DiscoverySweep(candidates: [.standard(request: 0x7B0)!], configuration: quick)) {
            _ in [(.milliseconds(3), frame(0x7B9, "02 7E 00"))]
        }
        #expect(result.found.isEmpty && result.unsolicitedFrames == 0)
    }

    @Test("sub-addresses behind 750: the reply must carry the probed sub-address first")
    func subAddresses() {
        // C7 answers properly; 5F answers with C7's sub-address (wrong); 40 answers only the first probe.
        var asked: [UInt8: Int] = [:]
        let (result, probes) = simulate(DiscoverySweep(scope: .toyotaSubAddresses, configuration: quick)) { probe in
            let sub = probe.data[0]
            asked[sub, default: 0] += 1
            #expect(probe.id.value == 0x750 && Array(probe.data.prefix(4)) == [sub, 0x02, 0x3E, 0x00])
            switch sub {
            case 0xC7: return [(.milliseconds(4), frame(0x758, "C7 02 7E 00 00 00 00 00"))]
            case 0x5F: return [(.milliseconds(4), frame(0x758, "C7 02 7E 00"))]
            case 0x40 where asked[sub] == 1: return [(.milliseconds(4), frame(0x758, "40 01 7E"))]
            default: return []
            }
        }
        #expect(result.found.map(\.address.description) == ["750/758 [C7]"])
        #expect(result.found.first?.protocolHint == .uds)
        #expect(result.unconfirmed.map(\.description) == ["750/758 [40]"])
        // 5F's stray reply lands on C7's key without a probe: counted, and C7 then needs a third answer.
        #expect(result.unsolicitedFrames == 1)
        #expect(result.noisyResponses.map(\.description) == ["750/758 [C7]"])
        #expect(probes.count == 256 + 1 + 2)
    }

    @Test("29-bit normal fixed addressing: 18DAxxF1 answered on 18DAF1xx")
    func normalFixed() {
        let (result, probes) = simulate(DiscoverySweep(scope: .normalFixed29Bit, configuration: quick)) { probe in
            probe.id.value == 0x18DA_10F1 ? [(.milliseconds(2), frame(0x18DA_F110, "02 7E 00"))] : []
        }
        #expect(result.found.map(\.address.description) == ["18DA10F1/18DAF110"])
        #expect(probes.count == 255 + 1)
    }

    @Test("a periodic frame on 7E9 that looks like a reply is ignored and counted; the real ECU on 7E8 is found")
    func periodicLookAlike() {
        // CaringCaribou #136: a node sends 02 7E ... on 7E9 every 100 ms, whether or not anybody asks.
        let noise = stride(from: 7, to: 5000, by: 100).map { (Duration.milliseconds($0), frame(0x7E9, "02 7E 00 00 00 00 00 00")) }
        let (result, probes) = simulate(DiscoverySweep(scope: .standard11Bit, configuration: quick), noise: noise) {
            probe in probe.id.value == 0x7E0 ? [(.milliseconds(10), frame(0x7E8, "02 7E 00"))] : []
        }
        #expect(result.found.map(\.address.description) == ["7E0/7E8"])
        #expect(result.noisyResponses.map(\.description) == ["7E1/7E9"])
        #expect(result.unsolicitedFrames >= 3)
        // Probes to the noisy id go right after one of its frames.
        let toNoisy = probes.filter { $0.1.id.value == 0x7E1 }
        #expect(!toNoisy.isEmpty)
        for probe in toNoisy {
            let sinceNoise = noise.map(\.0).filter { $0 <= probe.0 }.map { probe.0 - $0 }.min()
            #expect(sinceNoise.map { $0 < .milliseconds(10) } == true)
        }
    }

    @Test("a real ECU on an id that also carries periodic frames is still found, with one more probe")
    func realECUOnNoisyID() {
        let noise = stride(from: 40, to: 5000, by: 100).map { (Duration.milliseconds($0), frame(0x7E9, "02 7E 00")) }
        let (result, probes) = simulate(DiscoverySweep(scope: .standard11Bit, configuration: quick), noise: noise) {
            probe in probe.id.value == 0x7E1 ? [(.milliseconds(8), frame(0x7E9, "02 7E 00"))] : []
        }
        #expect(result.found.map(\.address.description) == ["7E1/7E9"])
        #expect(probes.filter { $0.1.id.value == 0x7E1 }.count == 3)
    }

    @Test("an ECU that answers with two frames per probe is not counted")
    func doubleReply() {
        let (result, _) = simulate(DiscoverySweep(candidates: [.standard(request: 0x7C0)!], configuration: quick)) {
            _ in [(.milliseconds(2), frame(0x7C8, "02 7E 00")), (.milliseconds(4), frame(0x7C8, "02 7E 00"))]
        }
        #expect(result.found.isEmpty)
    }
}
