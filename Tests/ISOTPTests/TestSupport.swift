import CANCore
import ISOTP

/// A standard id from a literal; traps on a bad literal.
func std(_ value: UInt32) -> CANIdentifier { .standard(value)! }
/// An extended id from a literal.
func ext(_ value: UInt32) -> CANIdentifier { .extended(value)! }

/// Bytes from a hex literal ("02 10 03").
func bytes(_ hex: String) -> [UInt8] { Hex.bytes(hex)! }

/// A payload from a hex literal.
func payload(_ hex: String) -> CANPayload { CANPayload(bytes(hex))! }

/// A classic or FD frame from a hex literal.
func frame(_ id: CANIdentifier, _ hex: String, fd: Bool = false, at timestamp: Duration? = nil) -> CANFrame {
    try! CANFrame(id: id, kind: fd ? .fd([.bitRateSwitch]) : .classic, data: payload(hex), timestamp: timestamp)
}

/// A frame as candump writes it: `7E0#0210` or `7E0##1021003` for FD.
func candump(_ frame: CANFrame) -> String {
    let data = Hex.compact(frame.data)
    if case .fd(let flags) = frame.kind { return "\(frame.id)##\(Hex.string(flags.rawValue & 0x0F, digits: 1))\(data)" }
    return "\(frame.id)#\(data)"
}

/// Parses a candump-like frame (`ID#HEX`, `ID##<flags>HEX`); 8-digit ids are 29-bit.
func parseCandump(_ text: Substring) -> CANFrame? {
    guard let hash = text.firstIndex(of: "#") else { return nil }
    let idText = text[..<hash]
    guard let value = UInt32(idText, radix: 16),
        let id = CANIdentifier(value, format: idText.count > 3 ? .extended : .standard)
    else { return nil }
    var rest = text[text.index(after: hash)...]
    var kind = CANFrame.Kind.classic
    if rest.first == "#" {
        rest = rest.dropFirst()
        guard let flags = rest.first.flatMap({ Hex.value(ofDigit: UInt8($0.asciiValue ?? 0)) }) else { return nil }
        kind = .fd(CANFDFlags(rawValue: flags))
        rest = rest.dropFirst()
    }
    guard let data = Hex.bytes(String(rest)), let payload = CANPayload(data) else { return nil }
    return try? CANFrame(id: id, kind: kind, data: payload)
}

/// SplitMix64: a small seeded generator, so property tests are repeatable.
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

/// One example address per addressing mode and id width, seen from the tester.
let testerAddresses: [(name: String, address: ISOTPAddress)] = [
    ("normal 11-bit", .normal(transmitID: std(0x7E0), receiveID: std(0x7E8))),
    ("normal 29-bit", .normal(transmitID: ext(0x18DA_10F1), receiveID: ext(0x18DA_F110))),
    ("normal fixed", .normalFixed(sourceAddress: 0xF1, targetAddress: 0x33)),
    (
        "extended 11-bit (Toyota DCM)",
        .extended(transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0xC7, sourceAddress: 0xC7)
    ),
    (
        "extended 29-bit",
        .extended(transmitID: ext(0x1800_1234), receiveID: ext(0x1800_4321), targetAddress: 0x55, sourceAddress: 0xAA)
    ),
    ("mixed 11-bit", .mixed(transmitID: std(0x6F0), receiveID: std(0x6F8), addressExtension: 0x42)),
    ("mixed 29-bit", .mixed(sourceAddress: 0xF1, targetAddress: 0x20, addressExtension: 0x99)),
]

/// A clock that moves only when a test advances it; sleepers wake when their instant is reached.
/// Sendable without `@unchecked`: its only stored property is a `Mutex`.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private struct Sleeper {
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Int: Sleeper] = [:]
        var nextSleeper = 0
        var watchers: [(count: Int, dueBy: Instant?, continuation: CheckedContinuation<Void, Never>)] = []

        /// How many sleepers wake at or before `dueBy` (all of them for nil).
        func sleeperCount(dueBy: Instant?) -> Int {
            guard let dueBy else { return sleepers.count }
            return sleepers.values.filter { $0.deadline <= dueBy }.count
        }

        /// Takes out the watchers whose condition is met.
        mutating func satisfiedWatchers() -> [CheckedContinuation<Void, Never>] {
            var ready: [CheckedContinuation<Void, Never>] = []
            var waiting: [(count: Int, dueBy: Instant?, continuation: CheckedContinuation<Void, Never>)] = []
            for watcher in watchers {
                if sleeperCount(dueBy: watcher.dueBy) >= watcher.count {
                    ready.append(watcher.continuation)
                } else {
                    waiting.append(watcher)
                }
            }
            watchers = waiting
            return ready
        }
    }

    private let state = Locked(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    /// How many tasks are sleeping on this clock.
    var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            defer { state.nextSleeper += 1 }
            return state.nextSleeper
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                // A task cancelled before it got here has already run its cancellation handler.
                let cancelled = Task.isCancelled
                let (resumeNow, watchers) = state.withLock { state in
                    if deadline <= state.now || cancelled { return (true, [CheckedContinuation<Void, Never>]()) }
                    state.sleepers[id] = Sleeper(deadline: deadline, continuation: continuation)
                    return (false, state.satisfiedWatchers())
                }
                for watcher in watchers { watcher.resume() }
                if cancelled {
                    continuation.resume(throwing: CancellationError())
                } else if resumeNow {
                    continuation.resume()
                }
            }
        } onCancel: {
            let sleeper = state.withLock { $0.sleepers.removeValue(forKey: id) }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time forward and wakes every sleeper whose instant has come.
    func advance(by duration: Duration) {
        let woken = state.withLock { state in
            state.now = state.now.advanced(by: duration)
            let due = state.sleepers.filter { $0.value.deadline <= state.now }
            for key in due.keys { state.sleepers.removeValue(forKey: key) }
            return due.values.map(\.continuation)
        }
        for continuation in woken { continuation.resume() }
    }

    /// Waits until at least `count` tasks sleep on the clock, counting only those that wake by `dueBy` when
    /// given (woken by the sleepers themselves, not polled).
    func waitForSleepers(atLeast count: Int, dueBy: Instant? = nil) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                if state.sleeperCount(dueBy: dueBy) >= count { return true }
                state.watchers.append((count, dueBy, continuation))
                return false
            }
            if ready { continuation.resume() }
        }
    }
}
