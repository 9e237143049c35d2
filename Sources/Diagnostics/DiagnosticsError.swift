/// Why the diagnostics client, a profile file or a scenario could not go on: a structured error naming where
/// and what. Protocol outcomes (negative responses, timeouts) are values, not errors.
public struct DiagnosticsError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, as an open set of codes.
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        /// A request outside ``ServicePolicy``: CarDiag never sends it.
        public static let requestNotAllowed = Code(rawValue: "requestNotAllowed")
        /// Another request is still in progress on the same ECU.
        public static let requestInProgress = Code(rawValue: "requestInProgress")
        /// The transport or ISO-TP channel failed (closed, send failed).
        public static let transportFailed = Code(rawValue: "transportFailed")
        /// A vehicle profile file could not be read or does not fit the schema.
        public static let invalidProfile = Code(rawValue: "invalidProfile")
        /// An ECU selection (`--ecus`) names no ECU of the profile.
        public static let invalidSelection = Code(rawValue: "invalidSelection")
        /// The ISO-TP backend asked for cannot serve (`--isotp kernel` without `CAN_ISOTP`).
        public static let isoTPBackendUnavailable = Code(rawValue: "isoTPBackendUnavailable")

        public var description: String { rawValue }
    }

    /// The code; errors compare equal by code.
    public var code: Code
    /// What happened, for people.
    public var reason: String
    /// Where: a file and field, an ECU address, or nil.
    public var location: String?

    /// Creates an error.
    public init(_ code: Code, _ reason: String, location: String? = nil) {
        self.code = code
        self.reason = reason
        self.location = location
    }

    public static func == (lhs: DiagnosticsError, rhs: DiagnosticsError) -> Bool { lhs.code == rhs.code }
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }

    public var description: String {
        (location.map { "\($0): " } ?? "") + reason
    }
}
