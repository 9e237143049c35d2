import ArgumentParser
import CANCore
import ISOTP

/// `--pair REQ:RESP[:ext]`, shared by the commands that reconstruct ISO-TP conversations from a log.
struct PairOptions: ParsableArguments {
    @Option(
        name: .customLong("pair"),
        help: ArgumentHelp(
            "Also track a request/response id pair outside the default ranges: REQ:RESP in hex, with :ext when "
                + "every frame starts with an address byte (641:651, 18DA10F1:18DAF110, 6F1:6F9:ext). Repeatable.",
            valueName: "REQ:RESP[:ext]"))
    var pairs: [String] = []

    func validate() throws { _ = try trackerConfiguration() }

    /// The tracker's default configuration with the `--pair` pairs added. An id of more than three hex
    /// digits is a 29-bit id.
    func trackerConfiguration() throws -> ISOTPFlowTracker.Configuration {
        var configuration = ISOTPFlowTracker.Configuration()
        for text in pairs {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            func id(_ hex: String) -> CANIdentifier? {
                guard !hex.isEmpty, hex.count <= 8, let value = UInt32(hex, radix: 16) else { return nil }
                return hex.count > 3 ? .extended(value) : .standard(value)
            }
            guard parts.count == 2 || (parts.count == 3 && parts[2] == "ext"), let request = id(parts[0]),
                let response = id(parts[1])
            else {
                throw ValidationError(
                    "--pair '\(text)': expected REQ:RESP in hex, optionally :ext (641:651, 6F1:6F9:ext)")
            }
            configuration.additionalPairs.append(
                .init(request: request, response: response, usesAddressByte: parts.count == 3))
        }
        return configuration
    }
}
