import CANCore

/// A clock for deterministic runs (`--virtual-time`, the golden tests): time stands still while tasks run and
/// moves, at most ``step`` at a time, only when they have had their turn. Scans against a scenario then print the
/// same times, and take the same paths, on a loaded machine as on an idle one.
final class SteppedClock: Clock, Sendable {
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
    }

    private let state = Locked(State())
    /// The most virtual time one move covers.
    let step: Duration

    init(step: Duration = .milliseconds(10)) {
        self.step = step
    }

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            defer { state.next += 1 }
            return state.next
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let due = state.withLock { state -> Bool in
                    if deadline <= state.now { return true }
                    state.sleepers[id] = (deadline, continuation)
                    return false
                }
                if due { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.sleepers.removeValue(forKey: id) }?.1.resume(throwing: CancellationError())
        }
    }

    /// Runs `body`, moving time to the next sleeper's deadline (at most ``step`` at once) once the other tasks
    /// are quiet: neither `activity()` (e.g. the frames sent on the bus) nor the sleeps registered on this clock
    /// changed over several rounds of turns. Returns what `body` returns.
    func run<Value: Sendable>(
        activity: @escaping @Sendable () -> Int, _ body: @escaping @Sendable () async -> Value
    ) async -> Value {
        let done = Locked(false)
        let task = Task {
            defer { done.withLock { $0 = true } }
            return await body()
        }
        var last = (-1, -1)
        var quietRounds = 0
        while !done.withLock({ $0 }) {
            for _ in 0..<100 where !done.withLock({ $0 }) { await Task.yield() }
            let current = (activity(), state.withLock { $0.next })
            if current != last {
                last = current
                quietRounds = 0
                continue
            }
            quietRounds += 1
            // Quiet for a while: everything that could run has run and waits for time.
            if quietRounds >= 6 {
                advance()
                quietRounds = 0
                last = (-1, -1)
            }
        }
        return await task.value
    }

    private func advance() {
        let woken = state.withLock { state in
            let target = min(state.sleepers.values.map(\.0.offset).min() ?? state.now.offset + step, state.now.offset + step)
            state.now = Instant(offset: max(state.now.offset, target))
            let due = state.sleepers.filter { $0.value.0 <= state.now }
            for key in due.keys { state.sleepers.removeValue(forKey: key) }
            return due.values.map(\.1)
        }
        for continuation in woken { continuation.resume() }
    }
}
