import CANCore
import Diagnostics
import ISOTP
import Testing

/// A clock that moves only when a test advances it.
final class ScanManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Int: (Instant, CheckedContinuation<Void, any Error>)] = [:]
        var next = 0
        var generation = 0
    }

    private let state = Locked(State())
    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }
    var sleeperCount: Int { state.withLock { $0.sleepers.count } }
    /// The earliest instant a sleeper waits for, as an offset from the clock's origin.
    var nextDeadline: Duration? { state.withLock { $0.sleepers.values.map(\.0.offset).min() } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let now = state.withLock { state -> Bool in
                    if deadline <= state.now { return true }
                    state.sleepers[id] = (deadline, continuation)
                    state.generation += 1
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in
                state.generation += 1
                return state.sleepers.removeValue(forKey: id)
            }?.1.resume(throwing: CancellationError())
        }
    }

    func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            state.generation += 1
            let due = state.sleepers.filter { $0.value.0 <= state.now }
            for key in due.keys { state.sleepers.removeValue(forKey: key) }
            return due.values.map(\.1)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Counts every change to the sleepers (a sleep registered, cancelled or woken): what a task that finished a
    /// step of work changes.
    private var generation: Int { state.withLock { $0.generation } }

    /// Lets other tasks run until nothing has changed the sleepers for `quietYields` yields in a row (or `stop`
    /// holds), so virtual time moves only once the work woken by the last step has settled, even when that work
    /// runs on another thread that the scheduler holds back for a while. Bounded.
    func quiesce(quietYields: Int = 300, until stop: () -> Bool) async {
        var last = generation
        var quiet = 0
        for _ in 0..<200_000 where quiet < quietYields && !stop() {
            await Task.yield()
            let current = generation
            if current == last {
                quiet += 1
            } else {
                quiet = 0
                last = current
            }
        }
    }

    /// Lets other tasks run until `condition` holds: however long the scheduler keeps them off the CPU, up to a
    /// liveness bound of 30 s of real time (the test then fails on its own expectations, it does not hang).
    func settle(until condition: () -> Bool) async {
        let giveUp = ContinuousClock.now + .seconds(30)
        while !condition() && ContinuousClock.now < giveUp { await Task.yield() }
    }

    /// Lets other tasks run until nothing has touched the sleepers for a while (see ``quiesce(quietYields:until:)``).
    func settle() async { await quiesce(until: { false }) }
}

/// Collects every frame on a bus.
final class FrameLog: Sendable {
    let frames = Locked<[CANFrame]>([])
    init(_ endpoint: VirtualCANBus.Endpoint) {
        let stream = endpoint.receivedFrames()
        Task { for try await frame in stream { frames.withLock { $0.append(frame) } } }
    }
    var all: [CANFrame] { frames.withLock { $0 } }
}

@Suite("DiagnosticClient on a virtual bus with virtual time")
struct DiagnosticClientTests {
    let engine = ECUAddress.standard(request: 0x7E0)!

    func frame(_ id: UInt32, _ hex: String) -> CANFrame { try! .classic(.standard(id)!, Hex.bytes(hex)!) }

    @Test("a late first frame restarts the response timer: a response past P2 still arrives")
    func firstFrameRestart() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let ecu = bus.attach(name: "ecu")
        let log = FrameLog(bus.attach(name: "log"))
        let client = DiagnosticClient(address: engine, transport: bus.attach(name: "tester"), clock: clock)
        let task = Task { try await client.request([0x22, 0xF1, 0x81]) }
        await clock.settle { log.all.count == 1 }
        #expect(log.all.first.map { Array($0.data.prefix(4)) } == [0x03, 0x22, 0xF1, 0x81])
        await clock.settle { clock.sleeperCount >= 1 }
        // First frame at 45 ms (inside P2), next frame 60 ms later: past the original P2 of 50 ms.
        clock.advance(by: .milliseconds(45))
        try await ecu.send(frame(0x7E8, "10 0E 62 F1 81 38 39 36"))
        await clock.settle { log.all.count == 3 }
        #expect(log.all.last?.data.first == 0x30)
        clock.advance(by: .milliseconds(60))
        await clock.settle()
        try await ecu.send(frame(0x7E8, "21 35 30 2D 30 52 32 30"))
        try await ecu.send(frame(0x7E8, "22 30 CC CC CC CC CC CC"))
        let result = try await task.value
        #expect(result.response == [0x62, 0xF1, 0x81] + Array("89650-0R200".utf8))
        await client.close()
    }

    @Test("without a first frame the same delay is a P2 timeout, explained in the log")
    func p2TimeoutLogged() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let log = FrameLog(bus.attach(name: "log"))
        let client = DiagnosticClient(address: engine, transport: bus.attach(name: "tester"), clock: clock)
        let task = Task { try await client.request([0x19, 0x02, 0xFF]) }
        await clock.settle { log.all.count == 1 && clock.sleeperCount >= 1 }
        clock.advance(by: .milliseconds(50))
        // The first request to an ECU is asked once more after a P2 timeout.
        await eventually { log.all.count == 2 && clock.sleeperCount >= 1 }
        clock.advance(by: .milliseconds(50))
        let result = try await task.value
        guard case .timeout(let timeout) = result.outcome else {
            Issue.record("expected a timeout")
            return
        }
        #expect(timeout.timer == .p2)
        let line = "7E0/7E8: request 19 02 FF: P2 timeout (50 ms) after 50 ms; nothing received"
        #expect(
            await client.log == [line, "7E0/7E8: no answer to the first request within P2; asking once more", line])
        await client.close()
    }

    @Test("the ECU's 0x10 response sets P2 for the next request")
    func sessionTiming() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let ecu = bus.attach(name: "ecu")
        let log = FrameLog(bus.attach(name: "log"))
        let client = DiagnosticClient(address: engine, transport: bus.attach(name: "tester"), clock: clock)
        let session = Task { try await client.request([0x10, 0x01]) }
        await clock.settle { log.all.count == 1 }
        try await ecu.send(frame(0x7E8, "06 50 01 00 C8 01 F4 CC"))
        _ = try await session.value
        #expect(await client.timing.responseTimeout == .milliseconds(200))
        let next = Task { try await client.request([0x19, 0x02, 0xFF]) }
        await clock.settle { log.all.count == 3 && clock.sleeperCount >= 1 }
        clock.advance(by: .milliseconds(199))
        await clock.settle()
        try await ecu.send(frame(0x7E8, "03 59 02 FF CC CC CC CC"))
        #expect(try await next.value.response == [0x59, 0x02, 0xFF])
        await client.close()
    }

    @Test("tester present goes out every interval of quiet, and not while busy")
    func testerPresentCadence() async throws {
        let bus = VirtualCANBus()
        let clock = ScanManualClock()
        let log = FrameLog(bus.attach(name: "log"))
        let timing = DiagnosticTiming(testerPresentInterval: .seconds(2))
        let client = DiagnosticClient(address: engine, transport: bus.attach(name: "tester"), clock: clock, timing: timing)
        await client.keepSessionAlive(with: ServicePolicy.udsTesterPresent)
        for expected in 1...3 {
            await clock.settle { clock.sleeperCount >= 1 }
            clock.advance(by: .milliseconds(1999))
            await clock.settle()
            #expect(log.all.count == expected - 1)
            clock.advance(by: .milliseconds(1))
            await clock.settle { log.all.count == expected }
            #expect(log.all.count == expected)
        }
        #expect(log.all.allSatisfy { Array($0.data.prefix(3)) == [0x02, 0x3E, 0x80] })
        await client.stopKeepingAlive()
        clock.advance(by: .seconds(10))
        await clock.settle()
        #expect(log.all.count == 3)
        await client.close()
    }
}
