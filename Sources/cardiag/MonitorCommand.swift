import ArgumentParser
import CANCore
import CANLog
import Diagnostics
import ISOTP
import Interpretation
import SocketCAN

/// `cardiag monitor`: listen-only live decode of another tool's diagnostic conversation.
struct MonitorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Listen to the bus and decode any diagnostic conversation live, interpreting codes as they pass.",
        discussion: """
            Sends nothing. Reassembles ISO-TP in both directions (Toyota 0x750/0x758 sub-addresses included), \
            prints each request and response, and each trouble code with its meaning when it passes. With \
            --input FILE it reads a recording instead (any format `cardiag frames` reads; - for standard input, \
            e.g. `candump -L can0 | cardiag monitor --input -`).

            Exit status: 0 after --duration, when the interface goes away or at the end of the input; 64 usage \
            error; 65 malformed input; 66 input file missing; 69 interface cannot be opened.
            """)

    @Option(name: [.customShort("i"), .long], help: "The SocketCAN interface.")
    var interface: String = "can0"

    @Option(help: "Read frames from a log FILE (- for standard input) instead of an interface.")
    var input: String?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "The vehicle profile that names ECUs: toyota or generic.")
    var profile: String = "toyota"

    @OptionGroup var knowledgeBaseOptions: KnowledgeBaseOptions

    func validate() throws {
        guard VehicleProfile.builtIn[profile] != nil else { throw ValidationError("unknown profile '\(profile)'") }
    }

    func run() async throws {
        let knowledgeBase = try knowledgeBaseOptions.load()
        var printer = MonitorPrinter(profile: VehicleProfile.builtIn[profile] ?? .toyota, knowledgeBase: knowledgeBase)
        let terminal = Terminal.shared
        if let input {
            let reader: LogReader
            do {
                reader = try LogReader(path: input)
                while let frame = try reader.next() { printer.feed(frame) }
            } catch {
                terminal.flush()
                terminal.diagnostic("cardiag: \(error)")
                throw ExitCode(FramesCommand.exitStatus(for: error).rawValue)
            }
            terminal.flush()
            return
        }
        let socket: CANRawSocket
        do {
            socket = try CANRawSocket(interface: interface)
        } catch {
            terminal.diagnostic("cardiag: \(interface): \(error)")
            throw ExitCode(ScanFrontend.unavailable)
        }
        if let duration {
            Task {
                try? await Task.sleep(for: .milliseconds(Int(duration * 1000)))
                socket.close()
            }
        }
        terminal.diagnostic("cardiag: listening on \(interface) (sending nothing)")
        do {
            for try await frame in socket.receivedFrames() { printer.feed(frame) }
        } catch {
            if duration == nil { terminal.diagnostic("cardiag: \(interface): \(error)") }
        }
        terminal.flush()
    }
}

/// What `monitor` prints: each reassembled request and response, and each trouble code with its meaning as it
/// passes.
struct MonitorPrinter {
    let profile: VehicleProfile
    let knowledgeBase: KnowledgeBase
    private var tracker = ISOTPFlowTracker()
    private var conversations: ConversationDecoder
    private var reported = 0

    init(profile: VehicleProfile, knowledgeBase: KnowledgeBase) {
        self.profile = profile
        self.knowledgeBase = knowledgeBase
        conversations = ConversationDecoder(profile: profile)
    }

    mutating func feed(_ frame: CANFrame) {
        guard let message = tracker.feed(frame) else { return }
        let terminal = Terminal.shared
        conversations.feed(message)
        let arrow = message.direction == .request ? "->" : "<-"
        let sub = message.addressExtension.map { "[\(Hex.string($0, digits: 2))]" } ?? ""
        let more = message.payload.count > 64 ? " ..." : ""
        terminal.line("\(message.id)\(sub) \(arrow) \(Hex.spaced(message.payload.prefix(64)))\(more)")
        let dtcs = conversations.report().dtcs
        for record in dtcs.dropFirst(reported) {
            let meaning = knowledgeBase.lookup(record.dtc)
            let status = record.dtc.status.map { " (\($0.summary))" } ?? ""
            let name = profile.ecu(at: record.ecu)?.name ?? "ECU"
            terminal.line("   \(record.dtc.hyphenatedText)\(status) from \(name) \(record.ecu): \(meaning.title)")
        }
        reported = dtcs.count
        terminal.flush()
    }
}
