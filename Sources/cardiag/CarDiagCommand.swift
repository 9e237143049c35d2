import ArgumentParser

/// `cardiag`: the root command. Each subcommand lives in its own file and only parses and validates;
/// the work is done by the library modules, and `Terminal` owns stdout, stderr and exit codes.
@main
struct CarDiagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cardiag",
        abstract: "Read vehicle diagnostic trouble codes over CAN and say what to do about them.",
        discussion: """
            CarDiag speaks ISO-TP, UDS (ISO 14229), KWP2000 on CAN and OBD-II (SAE J1979), with a focus on \
            Toyota/Lexus telematics (the DCM on 0x750/0x758, sub-address 0xC7). It reads captured logs \
            (candump, GVRET/SavvyCAN CSV, pcap/pcapng, Vector ASC, gzip-compressed or not) and, on Linux, \
            SocketCAN interfaces.

            Exit status: 0 success, 64 usage error, 65 bad input (with --strict), 66 no such input file, \
            70 internal error.
            """,
        version: CarDiagVersion.current,
        subcommands: CarDiagCommand.allSubcommands
    )
}

enum CarDiagVersion {
    /// Semantic version of the package and the CLI.
    static let current = "0.1.0"
}
