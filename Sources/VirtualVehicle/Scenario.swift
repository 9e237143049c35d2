import CANCore
import FoundationEssentials

/// A vehicle to simulate, as read from a scenario file (JSON): its ECUs, their addresses, protocols, codes,
/// identification data and behaviours. The file format is documented in `Fixtures/scenarios/README.md`.
public struct Scenario: Hashable, Sendable, Codable {
    /// A short name ("toyota-remote-connect-failing").
    public var name: String
    /// What the scenario shows, for people.
    public var description: String
    /// The ECUs.
    public var ecus: [ECU]

    /// Creates a scenario.
    public init(name: String, description: String, ecus: [ECU]) {
        self.name = name
        self.description = description
        self.ecus = ecus
    }

    /// One simulated ECU.
    public struct ECU: Hashable, Sendable, Codable {
        /// Its name ("Telematics (DCM)").
        public var name: String
        /// The request id it listens on, hex ("750", "7E0", "18DA28F1").
        public var request: String
        /// The response id it answers on, hex ("758").
        public var response: String
        /// The extended-addressing sub-address, hex ("C7"), for ECUs behind a gateway id.
        public var extendedAddress: String?
        /// Protocols it answers: "uds", "kwp", "obd" (an engine ECU often has "uds" and "obd").
        public var protocols: [String]
        /// Its trouble codes.
        public var dtcs: [DTCEntry]
        /// Identification: UDS DIDs ("F190") or KWP identification options ("88") to text; a value starting
        /// with "hex:" gives raw bytes.
        public var identifiers: [String: String]
        /// How it behaves.
        public var behaviour: Behaviour

        /// Creates an ECU.
        public init(
            name: String, request: String, response: String, extendedAddress: String? = nil, protocols: [String],
            dtcs: [DTCEntry] = [], identifiers: [String: String] = [:], behaviour: Behaviour = Behaviour()
        ) {
            self.name = name
            self.request = request
            self.response = response
            self.extendedAddress = extendedAddress
            self.protocols = protocols
            self.dtcs = dtcs
            self.identifiers = identifiers
            self.behaviour = behaviour
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            request = try container.decode(String.self, forKey: .request)
            response = try container.decode(String.self, forKey: .response)
            extendedAddress = try container.decodeIfPresent(String.self, forKey: .extendedAddress)
            protocols = try container.decode([String].self, forKey: .protocols)
            dtcs = try container.decodeIfPresent([DTCEntry].self, forKey: .dtcs) ?? []
            identifiers = try container.decodeIfPresent([String: String].self, forKey: .identifiers) ?? [:]
            behaviour = try container.decodeIfPresent(Behaviour.self, forKey: .behaviour) ?? Behaviour()
        }
    }

    /// One trouble code an ECU holds.
    public struct DTCEntry: Hashable, Sendable, Codable {
        /// The code with an optional failure type: "B15C4", "B15C4-13", "P0335".
        public var code: String
        /// The ISO 14229 status byte, hex ("09": testFailed + confirmed). For OBD: 0x04 pending → mode 07,
        /// 0x08 confirmed → mode 03.
        public var status: String
        /// OBD only: also reported as permanent (mode 0A).
        public var permanent: Bool?

        /// Creates an entry.
        public init(code: String, status: String, permanent: Bool? = nil) {
            self.code = code
            self.status = status
            self.permanent = permanent
        }
    }

    /// How an ECU behaves on the wire. Every field is optional in the file.
    public struct Behaviour: Hashable, Sendable, Codable {
        /// Time from a request to the start of the response, ms.
        public var latencyMilliseconds: Int?
        /// Extra delay before the first frame of a segmented response, ms (Toyota EPS: up to ~50).
        public var firstFrameDelayMilliseconds: Int?
        /// Gap between consecutive frames of its responses, ms (overrides our STmin; EPS: ~50).
        public var consecutiveFrameGapMilliseconds: Int?
        /// Response-pending replies (0x78) sent before each final response to these services (hex ids).
        public var responsePending: ResponsePending?
        /// Busy-repeat-request replies (0x21) to the first requests of each service.
        public var busyRepeatCount: Int?
        /// Never answers.
        public var silent: Bool?
        /// Answers this many requests, then never again (an ECU that drops off mid-scan).
        public var silentAfterRequests: Int?
        /// Negative responses by service (hex service id to hex NRC: {"22": "31"}).
        public var negativeResponses: [String: String]?
        /// The flow control it asks for when receiving: block size.
        public var blockSize: Int?
        /// The flow control it asks for when receiving: STmin, ms.
        public var separationTimeMilliseconds: Int?
        /// A clear request fails with this NRC (hex) and the codes stay.
        public var clearFailsWith: String?

        /// No special behaviour.
        public init() {}
    }

    /// 0x78 replies before the final response.
    public struct ResponsePending: Hashable, Sendable, Codable {
        /// How many 0x78 replies.
        public var count: Int
        /// Time between them, ms.
        public var intervalMilliseconds: Int
        /// The services (hex ids) they precede; empty or missing: every service.
        public var services: [String]?

        /// Creates the behaviour.
        public init(count: Int, intervalMilliseconds: Int, services: [String]? = nil) {
            self.count = count
            self.intervalMilliseconds = intervalMilliseconds
            self.services = services
        }
    }

    /// Reads a scenario from JSON and checks every field.
    ///
    /// - Throws: ``ScenarioError`` naming the file and the field.
    public init(json: [UInt8], fileName: String = "scenario") throws(ScenarioError) {
        let decoded: Scenario
        do {
            decoded = try JSONDecoder().decode(Scenario.self, from: Data(json))
        } catch {
            throw ScenarioError(file: fileName, field: nil, reason: "not a scenario: \(error)")
        }
        for (index, ecu) in decoded.ecus.enumerated() {
            _ = try VirtualECU(ecu, location: ScenarioError.Location(file: fileName, ecuIndex: index))
        }
        self = decoded
    }
}

/// A scenario file that cannot be used: the file, the field and why.
public struct ScenarioError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where in a file.
    struct Location: Hashable, Sendable {
        var file: String
        var ecuIndex: Int
    }

    /// The file.
    public var file: String
    /// The field ("ecus[2].request"), or nil for the whole file.
    public var field: String?
    /// What is wrong.
    public var reason: String

    /// Creates an error.
    public init(file: String, field: String?, reason: String) {
        self.file = file
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(file)\(field.map { ": \($0)" } ?? ""): \(reason)" }
}
