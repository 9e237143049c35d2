/// One trouble code as an ECU reported it: the SAE J2012 code, the failure-type byte when the protocol has
/// one (UDS: yes; KWP2000 and OBD-II: no), and the status byte when the protocol reports one.
public struct DiagnosticTroubleCode: Hashable, Sendable {
    /// The two-byte code (`B15C4`).
    public var code: DTCCode
    /// The third byte of a UDS DTC, or nil for two-byte protocols.
    public var failureType: FailureType?
    /// The ISO 14229 status byte, or nil when the protocol does not report one.
    public var status: DTCStatus?

    /// Creates a DTC from its parts.
    public init(code: DTCCode, failureType: FailureType? = nil, status: DTCStatus? = nil) {
        self.code = code
        self.failureType = failureType
        self.status = status
    }

    /// A three-byte UDS DTC as it appears on the wire (`95 C4 64`).
    public init(udsHigh high: UInt8, middle: UInt8, low: UInt8, status: DTCStatus? = nil) {
        self.init(code: DTCCode(high: high, low: middle), failureType: FailureType(rawValue: low), status: status)
    }

    /// The 24-bit UDS value (`0x95C464`), or nil without a failure type.
    public var udsValue: UInt32? {
        failureType.map { UInt32(code.rawValue) << 8 | UInt32($0.rawValue) }
    }

    /// Toyota manual style: `B15C464`; the bare code when there is no failure type.
    public var compactText: String {
        guard let failureType else { return code.description }
        return code.description + Self.twoHex(failureType.rawValue)
    }

    /// Hyphenated style: `B15C4-64`; the bare code when there is no failure type.
    public var hyphenatedText: String {
        guard let failureType else { return code.description }
        return code.description + "-" + Self.twoHex(failureType.rawValue)
    }

    private static func twoHex(_ byte: UInt8) -> String {
        let hex = String(byte, radix: 16, uppercase: true)
        return hex.count == 1 ? "0" + hex : hex
    }
}

extension DiagnosticTroubleCode: LosslessStringConvertible {
    /// The hyphenated form (`U0100-87`), the form people type back most reliably.
    public var description: String { hyphenatedText }

    /// Parses `B15C4`, `B15C464`, `B15C4-64` or `B15C4 64` (case-insensitive). No status.
    public init?(_ text: String) {
        var utf8 = Array(text.utf8)
        if utf8.count == 8, utf8[5] == UInt8(ascii: "-") || utf8[5] == UInt8(ascii: " ") { utf8.remove(at: 5) }
        guard utf8.count == 5 || utf8.count == 7, let code = DTCCode(parsing: utf8[0..<5]) else { return nil }
        var failureType: FailureType?
        if utf8.count == 7 {
            guard let high = hexValue(utf8[5]), let low = hexValue(utf8[6]) else { return nil }
            failureType = FailureType(rawValue: high << 4 | low)
        }
        self.init(code: code, failureType: failureType)
    }
}
