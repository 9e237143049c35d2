import ArgumentParser
import CANCore
import CANLog
import DTC
import Diagnostics
import FoundationEssentials
import Interpretation
import SocketCAN

#if canImport(Glibc)
    import Glibc
#endif

/// `cardiag scan`: every ECU's identification and codes, the DCM's status and a fix path, over a live
/// SocketCAN interface.
struct ScanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Health check: ask every ECU for its codes, report the DCM's status and a fix plan.",
        discussion: """
            Asks the profile's ECUs (8 at a time; answers are told apart by id and Toyota sub-address) for \
            their identification (UDS 22 F190/F181/F18C/F187, KWP 1A 88) and trouble codes with status (UDS \
            19 02, KWP 18, OBD 03/07/0A on the engine), then prints a table (system, address, protocol, \
            result, time), the details, what each code means and the triage plan. Only reading services go \
            out; see `cardiag clear` for erasing codes.

            --record FILE writes every frame sent and received as a candump log; `cardiag decode FILE` gives \
            the same findings.

            Exit status: 0 scan complete (with or without codes, whether or not every ECU answered); 75 partial \
            scan: an ECU stopped answering mid-way or the link went down, unreached ECUs are marked, repeat the \
            scan; 64 usage error; 65 bad profile file; 66 profile file missing; 69 interface cannot be opened (or \
            --isotp kernel on a kernel without CAN_ISOTP).
            """)

    @OptionGroup var options: ScanOptions

    func validate() throws { try options.check() }

    @Option(help: .hidden)
    var scenario: String?

    @Flag(help: .hidden)
    var virtualTime = false

    func run() async throws {
        if let scenario {
            // For tests: the scan against a scenario served in-process, as `cardiag demo` does.
            let loaded = try SimulateCommand.load(scenario)
            let report = try await ScenarioScan.run(loaded, options: options, virtualTime: virtualTime)
            try ScanFrontend.finish(report, options: options, title: "cardiag scan: scenario '\(loaded.name)'")
            return
        }
        let socket: CANRawSocket
        do {
            socket = try CANRawSocket(interface: options.interface)
        } catch {
            Terminal.shared.diagnostic("cardiag: \(options.interface): \(error)")
            throw ExitCode(ScanFrontend.unavailable)
        }
        defer { socket.close() }
        let interface = options.interface
        var configuration = try options.healthCheckConfiguration(
            for: CANRawSocket.self, clock: ContinuousClock.self, timestampOrigin: ScanFrontend.unixTime())
        let choice: ISOTPBackendChoice
        do {
            choice = try ISOTPBackendChoice.choose(
                preference: options.isoTP.preference, kernel: KernelISOTPLink.kernelSupport, purpose: .physical)
        } catch {
            Terminal.shared.diagnostic("cardiag: \(error)")
            throw ExitCode(ScanFrontend.unavailable)
        }
        configuration.isoTPBackend = choice
        if choice.backend == .kernel {
            configuration.linkFactory = { address in try KernelISOTPLink(interface: interface, address: address) }
        }
        Terminal.shared.diagnostic("cardiag: \(interface): ISO-TP for physical requests: \(choice)")
        let check = HealthCheck(configuration: configuration, transport: socket, clock: ContinuousClock())
        let report = await check.run(link: { ScanFrontend.linkHealth(interface) }, progress: ScanFrontend.progress())
        try ScanFrontend.finish(report, options: options, title: "cardiag scan: \(interface)")
    }
}

/// The options `scan`, `clear` and `demo` share.
struct ScanOptions: ParsableArguments {
    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown
    }

    @Option(name: [.customShort("i"), .long], help: "The SocketCAN interface.")
    var interface: String = "can0"

    @Option(help: "The vehicle profile: toyota or generic.")
    var profile: String = "toyota"

    @Option(help: "A vehicle profile JSON file (same fields as the built-in ones) instead of --profile.")
    var profileFile: String?

    @Option(help: "Which ECUs: all, dcm, or addresses such as 7E0,750:C7 (request id, :sub-address).")
    var ecus: String = "all"

    @Option(help: "Output format: text, json or markdown.")
    var format: OutputFormat = .text

    @Option(help: "Write every frame sent and received to FILE (candump log).")
    var record: String?

    @Option(help: "How many ECUs are asked at once.")
    var concurrency: Int = 8

    @Option(help: "P2, ms: how long an ECU may take to start answering (updated from its 0x10 response).")
    var p2: Int = 50

    @Flag(help: "Leave out the interpretation of each code and the triage plan.")
    var noAdvice = false

    @Flag(
        help: ArgumentHelp(
            "Find the ECUs first: tester present to 700-7F7 and to the sub-addresses behind 750; ask only those found.",
            discussion: "ECUs the profile does not know are asked as 'unknown ECU at ADDR' with protocol detection."))
    var discover = false

    @Flag(name: .customLong("discover-29bit"), help: "With --discover, also sweep 29-bit ids 18DAxxF1.")
    var discover29Bit = false

    @Option(
        name: .customLong("isotp"),
        help: ArgumentHelp(
            "ISO-TP for requests to one ECU: auto, kernel or user.",
            discussion: "auto uses the kernel's CAN_ISOTP socket when the kernel has it, else the user-space one; "
                + "functional requests and discovery always use the user-space one."))
    var isoTP: ISOTPOption = .auto

    @Option(help: "With --discover: ms between two probes.")
    var probeInterval: Int = 5

    @Option(help: "With --discover: the most probes awaiting a reply at once.")
    var probeOutstanding: Int = 8

    @OptionGroup var knowledgeBaseOptions: KnowledgeBaseOptions

    func check() throws {
        guard concurrency >= 1 && concurrency <= 64 else { throw ValidationError("--concurrency takes 1-64") }
        guard p2 >= 1 && p2 <= 10_000 else { throw ValidationError("--p2 takes 1-10000 ms") }
        guard probeInterval >= 1 && probeInterval <= 1000 else { throw ValidationError("--probe-interval takes 1-1000 ms") }
        guard probeOutstanding >= 1 && probeOutstanding <= 64 else { throw ValidationError("--probe-outstanding takes 1-64") }
        if discover29Bit && !discover { throw ValidationError("--discover-29bit goes with --discover") }
        if profileFile == nil, VehicleProfile.builtIn[profile] == nil {
            throw ValidationError("unknown profile '\(profile)'; use toyota or generic, or --profile-file")
        }
        if profileFile == nil { _ = try selection(in: VehicleProfile.builtIn[profile]!) }
    }

    /// The profile, built in or from --profile-file (exit 66 when missing, 65 when invalid).
    func loadProfile() throws -> VehicleProfile {
        guard let path = profileFile else { return VehicleProfile.builtIn[profile] ?? .toyota }
        guard let data = FileManager.default.contents(atPath: path) else {
            Terminal.shared.diagnostic("cardiag: \(path): no such file, or it cannot be read")
            throw ExitCode(ExitStatus.noInput.rawValue)
        }
        do {
            return try VehicleProfile(json: Array(data), fileName: path)
        } catch {
            Terminal.shared.diagnostic("cardiag: \(error)")
            throw ExitCode(ExitStatus.dataError.rawValue)
        }
    }

    /// The ECUs `--ecus` selects from `profile`. An address the profile lacks is asked as UDS then KWP.
    func selection(in profile: VehicleProfile) throws -> [ECUDescriptor] {
        switch ecus {
        case "all": return profile.ecus
        case "dcm":
            let dcm = profile.ecus.filter { $0.role == .dcm }
            guard !dcm.isEmpty else { throw ValidationError("profile '\(profile.name)' names no DCM") }
            return dcm
        default:
            return try ecus.split(separator: ",").map { text in
                let parts = text.split(separator: ":")
                guard parts.count <= 2, let request = UInt32(parts[0], radix: 16),
                    let address = ECUAddress.standard(request: request, extendedAddress: parts.count == 2 ? UInt8(parts[1], radix: 16) : nil),
                    parts.count == 1 || address.extendedAddress != nil
                else { throw ValidationError("--ecus '\(text)': use all, dcm, or hex request ids such as 7E0,750:C7") }
                return profile.ecu(at: address)
                    ?? ECUDescriptor(name: "ECU \(address)", address: address, protocols: [.uds, .kwp], source: "--ecus")
            }
        }
    }

    func healthCheckConfiguration<Base: CANTransport, ScanClock: Clock>(
        for _: Base.Type, clock _: ScanClock.Type, timestampOrigin: Duration
    ) throws -> HealthCheck<Base, ScanClock>.Configuration {
        let profile = try loadProfile()
        return .init(
            profile: profile, ecus: try selection(in: profile), concurrency: concurrency,
            timing: DiagnosticTiming(responseTimeout: .milliseconds(p2)), timestampOrigin: timestampOrigin,
            discovery: discoveryOptions)
    }

    /// The discovery `--discover` asks for: a probe window of P2 (at least 100 ms).
    var discoveryOptions: DiscoveryPlan? {
        guard discover else { return nil }
        return .init(
            scopes: [.standard11Bit, .toyotaSubAddresses] + (discover29Bit ? [.normalFixed29Bit] : []),
            sweep: .init(
                probeInterval: .milliseconds(probeInterval), maximumOutstanding: probeOutstanding,
                responseTimeout: .milliseconds(max(100, p2))))
    }
}

/// What `scan`, `demo` and `clear` do after the scan: record, render, choose the exit status.
enum ScanFrontend {
    /// Exit status of a partial scan (EX_TEMPFAIL: try again).
    static let partial: Int32 = 75
    /// Exit status when the recording cannot be written (EX_CANTCREAT).
    static let cantCreate: Int32 = 73
    /// Exit status when the interface cannot be opened (EX_UNAVAILABLE).
    static let unavailable: Int32 = 69

    /// Now as time since the Unix epoch, for recorded timestamps.
    static func unixTime() -> Duration {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
    }

    /// The interface's state and error counters from SocketCAN, or nil for virtual interfaces without them.
    static func linkHealth(_ interface: String) -> LinkHealth? {
        guard let status = try? CANLinkController().status(of: interface) else { return nil }
        return LinkHealth(
            interface: interface, state: status.state?.description,
            transmitErrors: status.errorCounters.map { Int($0.transmit) },
            receiveErrors: status.errorCounters.map { Int($0.receive) },
            busFault: status.state == .busOff || status.state == .stopped)
    }

    /// A progress line on standard error while ECUs finish; only on a terminal.
    static func progress() -> HealthCheck<CANRawSocket, ContinuousClock>.Progress? {
        guard Terminal.shared.stderrIsTerminal else { return nil }
        return { finished, total, name in
            Terminal.shared.progress(finished == total ? "\r\u{1B}[K" : "\r\u{1B}[K[\(finished)/\(total)] \(name)")
        }
    }

    /// Writes the recording, renders the report and throws the exit status.
    static func finish(_ report: ScanReport, options: ScanOptions, title: String) throws {
        let terminal = Terminal.shared
        if let path = options.record {
            try write(report.frames, to: path)
            terminal.diagnostic("cardiag: recorded \(report.frames.count) frames to \(path)")
        }
        let knowledgeBase = options.noAdvice ? nil : try options.knowledgeBaseOptions.load()
        let plan = knowledgeBase.map { Triage(knowledgeBase: $0).plan(for: report.vehicleFindings) }
        let renderer = InterpretationRenderer(width: options.format == .text ? terminal.columns : 80)
        let distinct: [DiagnosticTroubleCode] = {
            var seen = Set<DiagnosticTroubleCode>()
            return report.report.dtcs.map { DiagnosticTroubleCode(code: $0.dtc.code, failureType: $0.dtc.failureType) }
                .filter { seen.insert($0).inserted }
        }()
        switch options.format {
        case .json:
            terminal.write(ScanReportJSON(scan: report, advice: plan.map { renderer.jsonDocument($0) }).text().utf8)
        case .markdown:
            var out = "# \(title)\n\n" + report.markdownTable + "\n"
            out += "```\n" + report.text(title: title) + "```\n\n"
            if let knowledgeBase, let plan {
                if !distinct.isEmpty { out += renderer.render(distinct.map(knowledgeBase.lookup), as: .markdown) + "\n" }
                out += renderer.render(plan, as: .markdown)
            }
            terminal.write(out.utf8)
        case .text:
            terminal.write(report.text(title: title).utf8)
            if let knowledgeBase, let plan {
                if !distinct.isEmpty {
                    terminal.line(String(repeating: "=", count: min(renderer.width, 80)))
                    terminal.line("What the codes mean\n")
                    terminal.write(renderer.render(distinct.map(knowledgeBase.lookup), as: .text).utf8)
                }
                terminal.line(String(repeating: "=", count: min(renderer.width, 80)))
                terminal.write(renderer.render(plan, as: .text).utf8)
            }
        }
        terminal.flush()
        if report.isPartial { throw ExitCode(partial) }
    }

    /// Writes frames as a candump log.
    static func write(_ frames: [CANFrame], to path: String) throws {
        let writer = CandumpLogWriter()
        var bytes: [UInt8] = []
        for frame in frames { writer.append(frame, to: &bytes) }
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            Terminal.shared.diagnostic("cardiag: \(path): cannot write")
            throw ExitCode(cantCreate)
        }
    }
}

/// `--isotp`: the values of ``ISOTPBackendChoice/Preference``.
enum ISOTPOption: String, ExpressibleByArgument, CaseIterable {
    case auto, kernel, user

    var preference: ISOTPBackendChoice.Preference { ISOTPBackendChoice.Preference(rawValue: rawValue)! }
}
