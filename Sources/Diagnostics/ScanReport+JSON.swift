import CANCore
import FoundationEssentials

/// The JSON document of a scan (schemaVersion 1): `scan` (per-ECU results, link, partial flag, elapsed) and
/// `report` (the ``DiagnosticReportJSON`` of the findings, with `advice` when given).
public struct ScanReportJSON: Encodable {
    /// The schema version of this document.
    public static let schemaVersion = 1

    struct Result: Encodable {
        var name: String
        var address: ECUAddressJSON
        var role: String
        var `protocol`: String?
        var status: String
        var result: String
        var milliseconds: Int
        var requestsSent: [String]
        var log: [String]
    }

    struct Link: Encodable {
        var interface: String
        var state: String?
        var transmitErrors: Int?
        var receiveErrors: Int?
        var busFault: Bool
    }

    struct Scan: Encodable {
        var partial: Bool
        var milliseconds: Int
        var results: [Result]
        var link: Link?
        var isoTPBackend: String?
        var discovery: Discovery?
    }

    struct Discovery: Encodable {
        var found: [ECUAddressJSON]
        var unconfirmed: [ECUAddressJSON]
        var unsolicitedFrames: Int
        var probesSent: Int
    }

    let schemaVersion = ScanReportJSON.schemaVersion
    let scan: Scan
    let report: DiagnosticReportJSON

    /// The document for `scan`, with `advice` (a triage plan's JSON document) when given.
    public init(scan report: ScanReport, input: [String: String] = [:], advice: (any Encodable)? = nil) {
        func milliseconds(_ duration: Duration) -> Int {
            Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }
        let results = report.results.map { result in
            let status: String =
                switch result.status {
                case .answered: "answered"
                case .noResponse: "noResponse"
                case .refused: "negativeResponse"
                case .stoppedAnswering: "stoppedAnswering"
                case .unreached: "unreached"
                }
            return Result(
                name: result.descriptor.name, address: ECUAddressJSON(result.descriptor.address, name: result.descriptor.name),
                role: result.descriptor.role.rawValue, protocol: result.diagnosticProtocol?.rawValue, status: status,
                result: result.status.text(codes: report.codeCount(result.descriptor.address)),
                milliseconds: milliseconds(result.elapsed), requestsSent: result.requestsSent, log: result.log)
        }
        scan = Scan(
            partial: report.isPartial, milliseconds: milliseconds(report.elapsed), results: results,
            link: report.link.map {
                Link(
                    interface: $0.interface, state: $0.state, transmitErrors: $0.transmitErrors,
                    receiveErrors: $0.receiveErrors, busFault: $0.busFault)
            }, isoTPBackend: report.isoTPBackend,
            discovery: report.discovery.map { discovery in
                Discovery(
                    found: discovery.found.map { ECUAddressJSON($0.address, name: nil) },
                    unconfirmed: discovery.unconfirmed.map { ECUAddressJSON($0, name: nil) },
                    unsolicitedFrames: discovery.unsolicitedFrames, probesSent: discovery.probesSent)
            })
        self.report = DiagnosticReportJSON(report: report.report, input: input, advice: advice)
    }

    /// Pretty-printed JSON with a final newline.
    public func text() -> String { DiagnosticReportJSON.encode(self, pretty: true) }
}
