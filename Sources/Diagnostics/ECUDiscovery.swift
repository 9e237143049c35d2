public import CANCore

/// Finds the ECUs on a bus by driving ``DiscoverySweep``s over a transport (a `FrameDemultiplexer` tap: every
/// frame, since many sub-addresses answer on one id) with a clock. The sweeps run one after another, so the
/// 11-bit sweep's probe to 0x750 and the sub-address sweep behind it never share a window.
public struct ECUDiscovery<Transport: CANTransport, DiscoveryClock: Clock>: Sendable
where DiscoveryClock.Duration == Duration {
    /// The transport.
    public let transport: Transport
    /// The clock for the rate limit and the probe windows.
    public let clock: DiscoveryClock
    /// How each sweep probes.
    public let configuration: DiscoverySweep.Configuration

    /// Creates a discovery.
    public init(transport: Transport, clock: DiscoveryClock, configuration: DiscoverySweep.Configuration = .init()) {
        self.transport = transport
        self.clock = clock
        self.configuration = configuration
    }

    private enum Event: Sendable {
        case frame(CANFrame)
        case timer(Int)
        case ended
    }

    /// Sweeps each scope in turn.
    ///
    /// - Throws: ``DiagnosticsError`` `transportFailed` when a probe cannot be sent or the transport ends.
    public func run(_ scopes: [DiscoverySweep.Scope]) async throws(DiagnosticsError) -> DiscoveryResult {
        var total = DiscoveryResult.empty
        for scope in scopes {
            total.merge(try await sweep(DiscoverySweep(scope: scope, configuration: configuration)))
        }
        return total
    }

    /// Runs one sweep to its end.
    public func sweep(_ initial: DiscoverySweep) async throws(DiagnosticsError) -> DiscoveryResult {
        var sweep = initial
        let start = clock.now
        var now: Duration { start.duration(to: clock.now) }
        let (events, sink) = AsyncStream<Event>.makeStream()
        let frames = transport.receivedFrames()
        let reader = Task {
            do {
                for try await frame in frames { sink.yield(.frame(frame)) }
            } catch {}
            sink.yield(.ended)
        }
        var timer: Task<Void, Never>?
        var generation = 0
        var armed: Duration?
        defer {
            reader.cancel()
            timer?.cancel()
            sink.finish()
        }
        var iterator = events.makeAsyncIterator()
        sweep.start(at: now)
        while true {
            switch sweep.poll(at: now) {
            case .finish(let result):
                return result
            case .transmit(let frame):
                do {
                    try await transport.send(frame)
                } catch {
                    throw DiagnosticsError(.transportFailed, "probe failed: \(error)", location: "discovery")
                }
                continue
            case .wait(let until):
                if armed != until {
                    timer?.cancel()
                    generation += 1
                    armed = until
                    let current = generation
                    let instant = start.advanced(by: until)
                    timer = Task { [clock] in
                        guard (try? await clock.sleep(until: instant, tolerance: nil)) != nil else { return }
                        sink.yield(.timer(current))
                    }
                }
            }
            guard let event = await iterator.next() else { continue }
            switch event {
            case .frame(let frame): sweep.received(frame, at: now)
            case .timer(let fired): if fired == generation { armed = nil }
            case .ended: throw DiagnosticsError(.transportFailed, "transport \(transport.name) ended", location: "discovery")
            }
        }
    }
}

/// What a discovery before a health check sweeps, and how.
public struct DiscoveryPlan: Hashable, Sendable {
    /// The address ranges, swept in order.
    public var scopes: [DiscoverySweep.Scope]
    /// Rate, window and confirmation.
    public var sweep: DiscoverySweep.Configuration

    /// Creates a plan: 11-bit ids, then the sub-addresses behind 750.
    public init(
        scopes: [DiscoverySweep.Scope] = [.standard11Bit, .toyotaSubAddresses],
        sweep: DiscoverySweep.Configuration = .init()
    ) {
        self.scopes = scopes
        self.sweep = sweep
    }
}
