import ArgumentParser
import CANLog

/// `--log-format` and `--strict`, shared by the commands that read a log and decode it (`decode`, `isotp`).
struct LogInputOptions: ParsableArguments {
    @Option(help: "The log format: auto, candump, screen, csv, pcap, pcapng, asc or ecomcat.")
    var logFormat: String = "auto"

    @Flag(help: "Stop at the first bad line or record (exit status 65) instead of skipping it.")
    var strict = false

    func validate() throws { try Self.check(format: logFormat, named: "log format") }

    /// The reader options these flags ask for.
    var readerOptions: LogReader.Options { LogReader.Options(format: LogFormat(shortName: logFormat), strict: strict) }

    /// Rejects a format name `LogFormat` does not know; `named` is how the option calls it in the message.
    static func check(format: String, named: String) throws {
        guard format == "auto" || LogFormat(shortName: format) != nil else {
            throw ValidationError(
                "unknown \(named) '\(format)'; use auto, candump, screen, csv, pcap, pcapng, asc or ecomcat")
        }
    }

    /// Opens `path` (or `-`), or says why on stderr and exits: 66 when it cannot be read, 65 for bad input.
    static func open(_ path: String, options: LogReader.Options) throws -> LogReader {
        do {
            return try LogReader(path: path, options: options)
        } catch {
            Terminal.shared.diagnostic("cardiag: \(error)")
            throw ExitCode(FramesCommand.exitStatus(for: error).rawValue)
        }
    }
}
