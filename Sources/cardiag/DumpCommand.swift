import ArgumentParser
import CANCore
import CANLog
import FoundationEssentials
import SocketCAN

#if canImport(Glibc)
    import Glibc
#endif

/// `cardiag dump`: every frame on an interface, in candump log format with the kernel's timestamps.
struct DumpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dump",
        abstract: "Print (or record) every frame received on an interface, in candump log format.",
        discussion: """
            Lines are `(seconds.micros) IFACE ID#DATA` with the kernel's receive timestamps, the format \
            `cardiag frames` and `cardiag decode` read. Error frames are included.

            Exit status: 0 after --count frames or --duration, 64 usage error, 69 interface cannot be \
            opened, 73 output file cannot be written.
            """)

    @Argument(help: "The SocketCAN interface.")
    var interface: String

    @Option(help: "Write the log to FILE instead of standard output.")
    var output: String?

    @Option(help: "Stop after this many frames.")
    var count: Int?

    @Option(help: "Stop after this many seconds.")
    var duration: Double?

    func run() async throws {
        let socket: CANRawSocket
        do {
            socket = try CANRawSocket(interface: interface, options: .init(errorClasses: .all))
        } catch {
            Terminal.shared.diagnostic("cardiag: \(interface): \(error)")
            throw ExitCode(ScanFrontend.unavailable)
        }
        var file: UnsafeMutablePointer<FILE>?
        if let output {
            guard let opened = fopen(output, "w") else {
                Terminal.shared.diagnostic("cardiag: \(output): cannot write")
                throw ExitCode(ScanFrontend.cantCreate)
            }
            file = opened
        }
        defer { if let file { fclose(file) } }
        if let duration {
            Task {
                try? await Task.sleep(for: .milliseconds(Int(duration * 1000)))
                socket.close()
            }
        }
        // The socket is bound: from here on no frame is missed. Said on stderr, so a script (or a person) knows
        // when to start the traffic.
        var until = "Ctrl-C"
        if let count { until += " or \(count) frames" }
        if let duration { until += " or \(duration) s" }
        let writing = output.map { ", writing \($0)" } ?? ""
        Terminal.shared.diagnostic("cardiag: listening on \(interface)\(writing) until \(until)")
        let writer = CandumpLogWriter(defaultInterface: interface)
        var seen = 0
        do {
            for try await frame in socket.receivedFrames() {
                var bytes: [UInt8] = []
                writer.append(frame, to: &bytes)
                if let file {
                    _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, file) }
                    fflush(file)
                } else {
                    Terminal.shared.write(bytes)
                    Terminal.shared.flush()
                }
                seen += 1
                if let count, seen >= count { break }
            }
        } catch {
            // The socket was closed at the end of --duration, or the interface went away.
            if duration == nil { Terminal.shared.diagnostic("cardiag: \(interface): \(error)") }
        }
        socket.close()
        Terminal.shared.flush()
    }
}
