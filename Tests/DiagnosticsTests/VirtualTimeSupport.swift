import CANCore
import Diagnostics
import VirtualVehicle

/// Runs `body` on `clock`, moving virtual time from one sleeper's deadline to the next (and to each instant of
/// `periodic`, when the `every` period sends `noise`) until `body` returns.
func runInVirtualTime<Value: Sendable>(
    _ clock: ScanManualClock, noise: (every: Duration, offset: Duration, send: @Sendable () async -> Void)? = nil,
    step: Duration = .milliseconds(1), limit: Duration = .seconds(60), _ body: @escaping @Sendable () async throws -> Value
) async throws -> Value {
    let done = Locked<Bool>(false)
    let task = Task {
        defer { done.withLock { $0 = true } }
        return try await body()
    }
    var nextNoise = noise?.offset
    while !done.withLock({ $0 }) && clock.now.offset < limit {
        await clock.quiesce(until: { done.withLock { $0 } })
        if done.withLock({ $0 }) { break }
        let now = clock.now.offset
        // At most a millisecond at a time: a task that has yet to register its sleep is late by that much only.
        var target = min(clock.nextDeadline ?? now + step, now + step)
        if let due = nextNoise { target = min(target, due) }
        clock.advance(by: max(target - now, .zero))
        if let noise, let due = nextNoise, clock.now.offset >= due {
            await noise.send()
            nextNoise = due + noise.every
        }
    }
    return try await task.value
}

/// Runs a health check of `profile` against `scenario` on a fresh virtual bus in virtual time (immune to a
/// loaded machine: time stands still while the tasks catch up).
func scanInVirtualTime(
    _ scenario: Scenario, profile: VehicleProfile, ecus: [ECUDescriptor]? = nil,
    timing: DiagnosticTiming = DiagnosticTiming(),
    discovery: DiscoveryPlan? = nil
) async throws -> ScanReport {
    let bus = VirtualCANBus()
    let clock = ScanManualClock()
    let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: clock)
    await vehicle.start()
    let check = HealthCheck(
        configuration: .init(profile: profile, ecus: ecus, timing: timing, discovery: discovery),
        transport: bus.attach(name: "tester"), clock: clock)
    let report = try await runInVirtualTime(clock) { await check.run() }
    await vehicle.stop()
    return report
}

/// Lets other tasks run until `condition` holds (see ``ScanManualClock/settle(until:)``).
func eventually(_ condition: () -> Bool) async {
    let giveUp = ContinuousClock.now + .seconds(30)
    while !condition() && ContinuousClock.now < giveUp { await Task.yield() }
}
