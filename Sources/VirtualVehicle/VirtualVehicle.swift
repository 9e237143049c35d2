public import CANCore
import ISOTP

/// Serves a ``Scenario`` over any `CANTransport`: each ECU gets an ISO-TP channel on its own ids and
/// answers requests as its ``VirtualECU`` says, with the scenario's delays on the given clock. Used by the
/// tests, `cardiag demo` and `cardiag simulate`.
///
/// ```swift
/// let bus = VirtualCANBus()
/// let vehicle = try VirtualVehicle(scenario: scenario, transport: bus.attach(name: "vehicle"), clock: ContinuousClock())
/// await vehicle.start()
/// // ... scan bus.attach(name: "tester") ...
/// await vehicle.stop()
/// ```
public actor VirtualVehicle<Transport: CANTransport, VehicleClock: Clock> where VehicleClock.Duration == Duration {
    /// The scenario served.
    public nonisolated let scenario: Scenario
    /// The transport it answers on.
    public nonisolated let transport: Transport
    /// The clock for delays.
    public nonisolated let clock: VehicleClock
    private var ecus: [VirtualECU]
    private var tasks: [Task<Void, Never>] = []
    private var channels: [ISOTPChannel<Transport, VehicleClock>] = []

    /// Prepares the vehicle; nothing is served until ``start()``.
    ///
    /// - Throws: ``ScenarioError`` when an ECU of the scenario is invalid.
    public init(scenario: Scenario, transport: Transport, clock: VehicleClock) throws(ScenarioError) {
        self.scenario = scenario
        self.transport = transport
        self.clock = clock
        var ecus: [VirtualECU] = []
        for (index, ecu) in scenario.ecus.enumerated() {
            ecus.append(try VirtualECU(ecu, location: ScenarioError.Location(file: scenario.name, ecuIndex: index)))
        }
        self.ecus = ecus
    }

    /// Starts answering: one channel and task per ECU.
    public func start() {
        guard tasks.isEmpty else { return }
        for index in ecus.indices {
            let ecu = ecus[index]
            let behaviour = ecu.behaviour
            let channel = ISOTPChannel(
                transport: transport, clock: clock,
                sender: ISOTPSegmenter.Configuration(
                    address: ecu.address,
                    separationTimeOverride: behaviour.consecutiveFrameGapMilliseconds.map { .milliseconds($0) }),
                receiver: ISOTPReassembler.Configuration(
                    address: ecu.address, blockSize: UInt8(behaviour.blockSize ?? 0),
                    separationTime: ISOTPSeparationTime(rawValue: UInt8(behaviour.separationTimeMilliseconds ?? 0))))
            channels.append(channel)
            tasks.append(
                Task { [clock] in
                    while !Task.isCancelled {
                        let request: [UInt8]
                        do {
                            request = try await channel.receive()
                        } catch let error as ISOTPError where error.code != .channelClosed {
                            continue
                        } catch {
                            return
                        }
                        let replies = self.respond(ecu: index, to: request)
                        for reply in replies {
                            if reply.delay > .zero {
                                guard (try? await clock.sleep(for: reply.delay, tolerance: nil)) != nil else { return }
                            }
                            try? await channel.send(reply.payload)
                        }
                    }
                })
        }
        serveFunctionalRequests()
    }

    /// Answers functional requests (ISO 15765-4: single frames on 0x7DF for 11-bit ECUs, 0x18DB33F1 for 29-bit
    /// ones) from every ECU that speaks OBD, each on its own channel, so a segmented answer is flow-controlled
    /// on the ECU's physical request id as on a car.
    private func serveFunctionalRequests() {
        let answering = ecus.indices.filter { ecus[$0].protocols.contains("obd") }
        guard !answering.isEmpty else { return }
        let frames = transport.receivedFrames()
        let channels = self.channels
        let functionalIDs = Dictionary(
            grouping: answering, by: { ecus[$0].address.receiveID.isExtended ? Self.functional29Bit : Self.functional11Bit })
        tasks.append(
            Task { [clock] in
                do {
                    for try await frame in frames {
                        guard frame.isDataFrame, let indices = functionalIDs[frame.id],
                            case .single(let payload)? = try? ISOTPFrame(decoding: frame.data)
                        else { continue }
                        let request = Array(payload)
                        for index in indices {
                            let replies = self.respond(ecu: index, to: request)
                            let channel = channels[index]
                            Task {
                                for reply in replies {
                                    if reply.delay > .zero {
                                        guard (try? await clock.sleep(for: reply.delay, tolerance: nil)) != nil else { return }
                                    }
                                    try? await channel.send(reply.payload)
                                }
                            }
                        }
                    }
                } catch {}
            })
    }

    static var functional11Bit: CANIdentifier { .standard(0x7DF)! }
    static var functional29Bit: CANIdentifier { .extended(0x18DB_33F1)! }

    /// Stops answering and closes every channel.
    public func stop() async {
        for task in tasks { task.cancel() }
        tasks.removeAll()
        for channel in channels { await channel.close() }
        channels.removeAll()
    }

    /// Every request each ECU received, by ECU name, in order.
    public var requestsReceived: [String: [[UInt8]]] {
        Dictionary(ecus.map { ($0.name, $0.requestsReceived) }, uniquingKeysWith: { $0 + $1 })
    }

    /// The codes each ECU holds now, by name.
    public var storedDTCs: [String: [String]] {
        Dictionary(ecus.map { ($0.name, $0.storedDTCs.map(\.hyphenatedText)) }, uniquingKeysWith: { $0 + $1 })
    }

    private func respond(ecu index: Int, to request: [UInt8]) -> [VirtualECU.Reply] {
        ecus[index].respond(to: request)
    }
}
