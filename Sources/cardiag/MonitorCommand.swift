import ArgumentParser
import CANCore
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
            prints each request and response, and each trouble code with its meaning when it passes.

            Exit status: 0 after --duration or when the interface goes away, 64 usage error, 69 interface \
            cannot be opened.
            """)

    @Option(name: [.customShort("i"), .long], help: "The SocketCAN interface.")
    var interface: String = "can0"

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    @Option(help: "The vehicle profile that names ECUs: toyota or generic.")
    var profile: String = "toyota"

    @OptionGroup var knowledgeBaseOptions: KnowledgeBaseOptions

    func validate() throws {
        guard VehicleProfile.builtIn[profile] != nil else { throw ValidationError("unknown profile '\(profile)'") }
    }

    func run() async throws {
        let socket: CANRawSocket
        do {
            socket = try CANRawSocket(interface: interface)
        } catch {
            Terminal.shared.diagnostic("cardiag: \(interface): \(error)")
            throw ExitCode(ScanFrontend.unavailable)
        }
        if let duration {
            Task {
                try? await Task.sleep(for: .milliseconds(Int(duration * 1000)))
                socket.close()
            }
        }
        let knowledgeBase = try knowledgeBaseOptions.load()
        let chosen = VehicleProfile.builtIn[profile] ?? .toyota
        var tracker = ISOTPFlowTracker()
        var conversations = ConversationDecoder(profile: chosen)
        var reported = 0
        let terminal = Terminal.shared
        terminal.diagnostic("cardiag: listening on \(interface) (sending nothing)")
        do {
            for try await frame in socket.receivedFrames() {
                guard let message = tracker.feed(frame) else { continue }
                conversations.feed(message)
                let arrow = message.direction == .request ? "->" : "<-"
                let sub = message.addressExtension.map { "[\(Hex.string($0, digits: 2))]" } ?? ""
                terminal.line("\(message.id)\(sub) \(arrow) \(Hex.spaced(message.payload.prefix(64)))\(message.payload.count > 64 ? " ..." : "")")
                let dtcs = conversations.report().dtcs
                for record in dtcs.dropFirst(reported) {
                    let meaning = knowledgeBase.lookup(record.dtc)
                    let status = record.dtc.status.map { " (\($0.summary))" } ?? ""
                    let name = chosen.ecu(at: record.ecu)?.name ?? "ECU"
                    terminal.line("   \(record.dtc.hyphenatedText)\(status) from \(name) \(record.ecu): \(meaning.title)")
                }
                reported = dtcs.count
                terminal.flush()
            }
        } catch {
            if duration == nil { terminal.diagnostic("cardiag: \(interface): \(error)") }
        }
        terminal.flush()
    }
}
