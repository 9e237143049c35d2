import DTC

/// Service 0x10 DiagnosticSessionControl (ISO 14229-1:2020 §10.2): switch the server into a session; the
/// positive response reports the server's P2 and P2* timing.
///
/// Request `10 <session>`; response `50 <session> <P2 ms, 2 bytes> <P2* in 10 ms, 2 bytes>`, for example
/// `50 03 00 32 01 F4`: extended session, P2 50 ms, P2* 5000 ms.
public enum DiagnosticSessionControl {
    /// A diagnostic session type (the sub-function, bits 0-6). Open code space.
    public struct SessionType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The sub-function value without the suppress bit.
        public let rawValue: UInt8
        /// Wraps a value; bit 7 is dropped.
        public init(rawValue: UInt8) { self.rawValue = rawValue & 0x7F }
        /// Wraps a value; bit 7 is dropped.
        public init(_ rawValue: UInt8) { self.init(rawValue: rawValue) }

        /// 0x01 defaultSession.
        public static let defaultSession = SessionType(0x01)
        /// 0x02 programmingSession.
        public static let programmingSession = SessionType(0x02)
        /// 0x03 extendedDiagnosticSession.
        public static let extendedDiagnosticSession = SessionType(0x03)
        /// 0x04 safetySystemDiagnosticSession.
        public static let safetySystemDiagnosticSession = SessionType(0x04)

        /// The ISO 14229 name, or nil.
        public var name: String? {
            switch rawValue {
            case 0x01: "defaultSession"
            case 0x02: "programmingSession"
            case 0x03: "extendedDiagnosticSession"
            case 0x04: "safetySystemDiagnosticSession"
            case 0x40...0x5F: "vehicleManufacturerSpecific"
            case 0x60...0x7E: "systemSupplierSpecific"
            default: nil
            }
        }

        public var description: String {
            name.map { "\($0) (\(PayloadText.hex(rawValue)))" } ?? PayloadText.hex(rawValue)
        }
    }

    /// `10 <session>`.
    public struct Request: Hashable, Sendable {
        /// The session asked for.
        public var sessionType: SessionType
        /// Bit 7 of the sub-function: the server shall not send a positive response.
        public var suppressPositiveResponse: Bool

        /// Builds a request.
        public init(_ sessionType: SessionType, suppressPositiveResponse: Bool = false) {
            self.sessionType = sessionType
            self.suppressPositiveResponse = suppressPositiveResponse
        }

        /// The request bytes.
        public var bytes: [UInt8] {
            [UDSServiceID.diagnosticSessionControl.rawValue, sessionType.rawValue | (suppressPositiveResponse ? 0x80 : 0)]
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let subFunction = try cursor.byte("session type")
            self.init(SessionType(subFunction), suppressPositiveResponse: subFunction & 0x80 != 0)
        }

        var fields: [(name: String, value: String)] {
            [("session", sessionType.description)] + suppressField(suppressPositiveResponse)
        }
    }

    /// `50 <session> [P2 P2*]`. ISO 14229-1:2006 servers send no timing record, so it is optional.
    public struct Response: Hashable, Sendable {
        /// The session now active.
        public var sessionType: SessionType
        /// P2server_max: how long the server may take before its first response (1 ms resolution).
        public var p2ServerMaximum: Duration?
        /// P2*server_max: the wait after a 0x78 response pending (10 ms resolution).
        public var p2StarServerMaximum: Duration?

        /// Creates a response; pass both timings or neither.
        public init(_ sessionType: SessionType, p2ServerMaximum: Duration? = nil, p2StarServerMaximum: Duration? = nil) {
            self.sessionType = sessionType
            self.p2ServerMaximum = p2ServerMaximum
            self.p2StarServerMaximum = p2StarServerMaximum
        }

        /// The response bytes; timings are rounded down to their resolution and clamped to two bytes.
        public var bytes: [UInt8] {
            var bytes = [UDSServiceID.diagnosticSessionControl.positiveResponseByte, sessionType.rawValue]
            if p2ServerMaximum != nil || p2StarServerMaximum != nil {
                bytes.appendUInt16(Self.units(p2ServerMaximum ?? .zero, of: .milliseconds(1)))
                bytes.appendUInt16(Self.units(p2StarServerMaximum ?? .zero, of: .milliseconds(10)))
            }
            return bytes
        }

        static func units(_ duration: Duration, of unit: Duration) -> UInt16 {
            let count = max(0, duration / unit)
            return UInt16(min(count, Double(UInt16.max)))
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            sessionType = SessionType(try cursor.byte("session type"))
            guard !cursor.isAtEnd else { return }
            p2ServerMaximum = .milliseconds(try cursor.uint16("P2server_max"))
            p2StarServerMaximum = .milliseconds(Int(try cursor.uint16("P2*server_max")) * 10)
        }

        var fields: [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = [("session", sessionType.description)]
            if let p2ServerMaximum { fields.append(("P2server_max", milliseconds(p2ServerMaximum))) }
            if let p2StarServerMaximum { fields.append(("P2*server_max", milliseconds(p2StarServerMaximum))) }
            return fields
        }
    }
}

/// `50 ms`.
func milliseconds(_ duration: Duration) -> String {
    PayloadText.decimal(duration / .milliseconds(1), decimals: 3) + " ms"
}

/// A field line for the suppress-positive-response bit, only when it is set.
func suppressField(_ suppressed: Bool) -> [(name: String, value: String)] {
    suppressed ? [("suppress positive response", "yes")] : []
}
