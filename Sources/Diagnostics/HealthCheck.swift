public import CANCore
public import ISOTP

/// The health check: every selected ECU asked for its identification and codes, at most
/// ``Configuration/concurrency`` at a time, over one shared transport (answers demultiplexed by id and
/// sub-address). Every frame is recorded, and the findings are decoded from the recording, so a `--record`
/// file decodes to the same findings.
public struct HealthCheck<Base: CANTransport, CheckClock: Clock>: Sendable where CheckClock.Duration == Duration {
    /// What to scan and how.
    public struct Configuration: Sendable {
        /// The profile naming the ECUs and the DCM.
        public var profile: VehicleProfile
        /// The ECUs to ask, in report order.
        public var ecus: [ECUDescriptor]
        /// How many ECUs are asked at once.
        public var concurrency: Int
        /// Timing and retry limits for every ECU.
        public var timing: DiagnosticTiming
        /// The UDS status mask for 0x19 02 (0xFF; 0xAF is tried when an ECU refuses it).
        public var udsStatusMask: UInt8
        /// Added to the clock's elapsed time in recorded timestamps (the Unix time of the start when live).
        public var timestampOrigin: Duration
        /// Ask the selected legislated OBD ECUs (0x7E0-0x7E7) with functional requests (0x7DF, else
        /// 0x18DB33F1) instead of one by one: `01 00`, `03`, `07`, `0A`, `09 02`, every ECU's answer collected
        /// within P2 (P2* after a 0x78). On by default for the generic profile.
        public var functionalOBD: Bool
        /// Find the ECUs first (``ECUDiscovery``) and ask only those found; nil asks ``ecus`` as they are. ECUs
        /// found that are not in ``ecus`` are asked as "unknown ECU at ADDR", with protocol detection.
        public var discovery: DiscoveryPlan?
        /// Opens the message transport to one ECU for physical requests (the kernel's ISO-TP socket); nil runs
        /// a user-space `ISOTPChannel` on the ECU's demultiplexer route. A transport that cannot see first
        /// frames is given them from the route.
        public var linkFactory: (@Sendable (ECUAddress) throws -> any MessageTransport)?
        /// The ISO-TP backend of the physical requests and why, for the report.
        public var isoTPBackend: ISOTPBackendChoice?


        /// A configuration for every ECU of `profile`.
        public init(
            profile: VehicleProfile, ecus: [ECUDescriptor]? = nil, concurrency: Int = 8,
            timing: DiagnosticTiming = DiagnosticTiming(), udsStatusMask: UInt8 = 0xFF, timestampOrigin: Duration = .zero,
            functionalOBD: Bool? = nil, discovery: DiscoveryPlan? = nil
        ) {
            self.profile = profile
            self.ecus = ecus ?? profile.ecus
            self.concurrency = max(1, concurrency)
            self.timing = timing
            self.udsStatusMask = udsStatusMask
            self.timestampOrigin = timestampOrigin
            self.functionalOBD = functionalOBD ?? (profile.name == VehicleProfile.generic.name)
            self.discovery = discovery
        }
    }

    /// Called as ECUs finish: (finished, total, the ECU's name).
    public typealias Progress = @Sendable (_ finished: Int, _ total: Int, _ ecu: String) -> Void

    /// The configuration.
    public let configuration: Configuration
    /// The shared transport.
    public let transport: Base
    /// The clock for timers and timestamps.
    public let clock: CheckClock

    /// Creates a health check.
    public init(configuration: Configuration, transport: Base, clock: CheckClock) {
        self.configuration = configuration
        self.transport = transport
        self.clock = clock
    }

    /// Runs the health check. `link` is asked for the interface's health at the end (live SocketCAN).
    public func run(link: (@Sendable () -> LinkHealth?)? = nil, progress: Progress? = nil) async -> ScanReport {
        await session(consent: nil, link: link, progress: progress) { descriptor, client in
            await Self.read(descriptor, client: client, statusMask: configuration.udsStatusMask)
        }
    }

    /// Clears every selected ECU's codes with `consent` (UDS 14 FFFFFF, KWP 14 FF00, OBD 04 only when the
    /// consent includes it), then reads them again. The report holds both the clear and the re-read.
    public func clear(
        consent: ServicePolicy.ClearConsent, link: (@Sendable () -> LinkHealth?)? = nil, progress: Progress? = nil
    ) async -> ScanReport {
        await session(consent: consent, link: link, progress: progress) { descriptor, client in
            var outcome = await Self.clear(descriptor, client: client, consent: consent)
            // Re-read after a clear, and after a refused one, so the codes that remain are shown.
            switch outcome.status {
            case .answered, .refused: break
            case .noResponse, .stoppedAnswering, .unreached: return outcome
            }
            let reread = await Self.read(descriptor, client: client, statusMask: configuration.udsStatusMask)
            outcome.requestsSent += reread.requestsSent
            outcome.log += reread.log
            if reread.status != .answered { outcome.status = reread.status == .noResponse ? .stoppedAnswering : reread.status }
            return outcome
        }
    }

    typealias Worker = @Sendable (ECUDescriptor, DiagnosticClient<CheckClock>) async
        -> ECUOutcome

    private func session(
        consent: ServicePolicy.ClearConsent?, link: (@Sendable () -> LinkHealth?)?, progress: Progress?,
        work: @escaping Worker
    ) async -> ScanReport {
        let start = clock.now
        let origin = configuration.timestampOrigin
        let clock = clock
        let recorder = FrameRecorder { origin + start.duration(to: clock.now) }
        let interface = transport.name
        let demultiplexer = FrameDemultiplexer(base: transport) { frame, _ in
            recorder.record(frame, interface: frame.interface ?? interface)
        }
        var ecus = configuration.ecus
        let timing = configuration.timing
        var leading: [ECUScanResult] = []
        var discovered: DiscoveryResult?
        if let discovery = configuration.discovery {
            let finder = ECUDiscovery(transport: demultiplexer.tap(), clock: clock, configuration: discovery.sweep)
            do {
                let result = try await finder.run(discovery.scopes)
                discovered = result
                ecus = Self.descriptors(for: result, selected: ecus, profile: configuration.profile)
            } catch {
                // The bus went away during the sweep: every selected ECU is marked unreached below.
                discovered = .empty
            }
            progress?(0, ecus.count, "discovery")
        }
        if consent == nil && configuration.functionalOBD {
            let functional = await functionalOBD(ecus.filter(\.isLegislatedOBD), on: demultiplexer.tap())
            leading = functional
            ecus.removeAll(where: \.isLegislatedOBD)
            progress?(leading.count, leading.count + ecus.count, "OBD (functional)")
        }
        var results = [ECUScanResult?](repeating: nil, count: ecus.count)
        await withTaskGroup(of: (Int, ECUScanResult).self) { group in
            var next = 0
            var finished = 0
            func launch() {
                let index = next
                next += 1
                let descriptor = ecus[index]
                if demultiplexer.hasEnded {
                    group.addTask {
                        (index, ECUScanResult(
                            descriptor: descriptor, diagnosticProtocol: nil, status: .unreached("the link went down"),
                            elapsed: .zero, requestsSent: [], log: []))
                    }
                    return
                }
                let address = descriptor.address
                let route = demultiplexer.route(.init(id: address.responseID, addressByte: address.extendedAddress))
                let linkFactory = configuration.linkFactory
                group.addTask {
                    let began = clock.now
                    let client: DiagnosticClient<CheckClock>
                    if let linkFactory {
                        do {
                            let link = Self.watchingFirstFrames(
                                try linkFactory(address), route: route, addressBytes: address.extendedAddress == nil ? 0 : 1)
                            client = DiagnosticClient(address: address, link: link, clock: clock, timing: timing)
                        } catch {
                            return (index, ECUScanResult(
                                descriptor: descriptor, diagnosticProtocol: nil,
                                status: .unreached("cannot open its ISO-TP link: \(error)"), elapsed: .zero,
                                requestsSent: [], log: []))
                        }
                    } else {
                        client = DiagnosticClient(address: address, transport: route, clock: clock, timing: timing)
                    }
                    let outcome = await work(descriptor, client)
                    let log = await client.log
                    await client.close()
                    return (
                        index,
                        ECUScanResult(
                            descriptor: descriptor, diagnosticProtocol: outcome.diagnosticProtocol, status: outcome.status,
                            elapsed: began.duration(to: clock.now), requestsSent: outcome.requestsSent,
                            log: outcome.log + log)
                    )
                }
            }
            while next < ecus.count && next < configuration.concurrency { launch() }
            while let (index, result) = await group.next() {
                results[index] = result
                finished += 1
                progress?(finished, ecus.count, result.descriptor.name)
                if next < ecus.count { launch() }
            }
        }
        demultiplexer.stop()
        let frames = recorder.frames
        var decoder = LogDecoder(profile: configuration.profile, tracker: Self.trackerConfiguration(for: configuration.ecus + ecus + leading.map(\.descriptor)))
        for frame in frames { decoder.feed(frame) }
        return ScanReport(
            results: leading + results.map { $0! }, report: decoder.finish(), link: link?(), elapsed: start.duration(to: clock.now),
            frames: frames, discovery: discovered, isoTPBackend: configuration.isoTPBackend?.description)
    }

    /// The ECUs to ask after a discovery: each ECU found, as `selected` or the profile names it when it is
    /// there, else as "unknown ECU at ADDR" asked in the protocol its reply suggests first.
    static func descriptors(
        for result: DiscoveryResult, selected: [ECUDescriptor], profile: VehicleProfile
    ) -> [ECUDescriptor] {
        result.found.map { found in
            if let known = selected.first(where: { $0.address == found.address })
                ?? profile.ecus.first(where: { $0.address == found.address })
            {
                return known
            }
            let protocols: [DiagnosticProtocol] = found.protocolHint == .kwp ? [.kwp, .uds] : [.uds, .kwp]
            return ECUDescriptor(
                name: "unknown ECU at \(found.address)", address: found.address, protocols: protocols,
                source: "found by discovery (tester present)")
        }
    }

    /// `link`, given first frames from `route` when it cannot see them itself.
    static func watchingFirstFrames(
        _ link: some MessageTransport, route: FrameDemultiplexer<Base>.Route, addressBytes: Int
    ) -> any MessageTransport {
        link.reportsFirstFrames ? link : FirstFrameWatchingTransport(link, watching: route, addressBytes: addressBytes)
    }

    /// The flow tracker's configuration that reassembles every selected ECU's conversation: the defaults plus a
    /// pair for each ECU whose ids lie outside the default ranges.
    public static func trackerConfiguration(for ecus: [ECUDescriptor]) -> ISOTPFlowTracker.Configuration {
        var configuration = ISOTPFlowTracker.Configuration()
        for ecu in ecus {
            let address = ecu.address
            let inDefaults =
                !address.requestID.isExtended && address.responseID.value == address.requestID.value + 8
                && (address.extendedAddress == nil) == !configuration.extendedAddressingIDs.contains(address.requestID)
            if !inDefaults {
                if address.extendedAddress != nil {
                    configuration.extendedAddressingIDs.insert(address.requestID)
                    configuration.extendedAddressingIDs.insert(address.responseID)
                }
                configuration.additionalPairs.append(
                    .init(
                        request: address.requestID, response: address.responseID,
                        usesAddressByte: address.extendedAddress != nil))
            }
        }
        return configuration
    }
}

/// What the work on one ECU came to, before timing is added.
struct ECUOutcome: Sendable {
    var diagnosticProtocol: DiagnosticProtocol?
    var status: ECUScanResult.Status
    var requestsSent: [String] = []
    var log: [String] = []
}

extension HealthCheck {
    /// The read sequence for one ECU: find the protocol it answers (UDS `10 01`, KWP `18 00 FF 00`, or OBD
    /// `03` first), then identification and codes in that protocol, and the OBD codes on an engine ECU.
    static func read(
        _ descriptor: ECUDescriptor, client: DiagnosticClient<CheckClock>,
        statusMask: UInt8
    ) async -> ECUOutcome {
        var outcome = ECUOutcome(diagnosticProtocol: nil, status: .noResponse)
        var answeredAny = false
        var lastRefusal: UInt8?
        /// Sends one request; nil when the ECU did not answer or the transport failed (status set).
        func ask(_ request: [UInt8]) async -> ExchangeResult? {
            outcome.requestsSent.append(Hex.spaced(request))
            do {
                let result = try await client.request(request)
                if result.response != nil {
                    answeredAny = true
                    lastRefusal = result.negativeResponseCode
                    return result
                }
                if answeredAny { outcome.status = .stoppedAnswering }
                return nil
            } catch {
                outcome.log.append("\(descriptor.address): \(error)")
                outcome.status = answeredAny ? .stoppedAnswering : .unreached("\(error.reason)")
                return nil
            }
        }
        let protocols = descriptor.protocols.isEmpty ? [DiagnosticProtocol.uds] : descriptor.protocols
        probing: for candidate in protocols {
            let probe: [UInt8] =
                switch candidate {
                case .uds: ServicePolicy.udsDefaultSession
                case .kwp: ServicePolicy.kwpReadDTCsByStatus
                case .obd: ServicePolicy.obdReadCodes[0]
                }
            guard let result = await ask(probe) else { return outcome }
            // serviceNotSupported / subFunctionNotSupported to the probe: another protocol may fit.
            if let code = result.negativeResponseCode, [0x11, 0x12, 0x7F].contains(code) { continue probing }
            outcome.diagnosticProtocol = candidate
            break probing
        }
        guard let found = outcome.diagnosticProtocol else {
            outcome.status = lastRefusal.map { .refused($0) } ?? .noResponse
            return outcome
        }
        switch found {
        case .uds:
            guard let dtcs = await ask(ServicePolicy.udsReadDTCs(statusMask: statusMask)) else { return outcome }
            if let code = dtcs.negativeResponseCode, [0x31, 0x12].contains(code), statusMask != 0xAF {
                guard await ask(ServicePolicy.udsReadDTCs(statusMask: 0xAF)) != nil else { return outcome }
            }
            for did: UInt16 in [0xF190, 0xF181, 0xF18C, 0xF187] {
                guard await ask(ServicePolicy.udsReadIdentifier(did)) != nil else { return outcome }
            }
        case .kwp:
            guard await ask(ServicePolicy.kwpIdentification) != nil else { return outcome }
        case .obd:
            break
        }
        // OBD-II codes on the engine ECU (0x7E0, the first legislated OBD address) besides its own protocol.
        let isEngine = descriptor.address.requestID == CANIdentifier.standard(0x7E0) && descriptor.address.extendedAddress == nil
        if descriptor.protocols.contains(.obd) && (found == .obd || isEngine) {
            let obdRequests = ServicePolicy.obdReadCodes + [ServicePolicy.obdVIN]
            for request in obdRequests where found != .obd || request != ServicePolicy.obdReadCodes[0] {
                guard await ask(request) != nil else { return outcome }
            }
        }
        outcome.status = .answered
        return outcome
    }

    /// The clear for one ECU in the protocol it answers, found as in ``read``.
    static func clear(
        _ descriptor: ECUDescriptor, client: DiagnosticClient<CheckClock>,
        consent: ServicePolicy.ClearConsent
    ) async -> ECUOutcome {
        var outcome = ECUOutcome(diagnosticProtocol: nil, status: .noResponse)
        var requests: [(DiagnosticProtocol, [UInt8])] = []
        for candidate in descriptor.protocols {
            switch candidate {
            case .uds: requests.append((.uds, ServicePolicy.udsClearAll))
            case .kwp: requests.append((.kwp, ServicePolicy.kwpClearAll))
            case .obd: if consent.includesOBD { requests.append((.obd, ServicePolicy.obdClear)) }
            }
        }
        for (candidate, request) in requests {
            outcome.requestsSent.append(Hex.spaced(request))
            let result: ExchangeResult
            do {
                result = try await client.request(request, consent: consent)
            } catch {
                outcome.log.append("\(descriptor.address): \(error)")
                outcome.status = .unreached(error.reason)
                return outcome
            }
            guard result.response != nil else { return outcome }
            if let code = result.negativeResponseCode {
                outcome.log.append("\(descriptor.address): clear \(Hex.spaced(request)) refused (NRC \(Hex.string(code, digits: 2)))")
                outcome.status = .refused(code)
                if [0x11, 0x12, 0x13, 0x31].contains(code) { continue }
                return outcome
            }
            outcome.diagnosticProtocol = candidate
            outcome.status = .answered
            return outcome
        }
        return outcome
    }
}
