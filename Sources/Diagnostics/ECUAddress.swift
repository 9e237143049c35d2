public import CANCore

/// Where an ECU is reached: the request id the tester sends on, the response id the ECU answers on, and,
/// for ISO-TP extended addressing (Toyota's 0x750/0x758 channel), the sub-address byte that comes first in
/// every frame in both directions.
public struct ECUAddress: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The id the tester sends requests on (0x7E0, 0x750, 0x18DA28F1 ...).
    public var requestID: CANIdentifier
    /// The id the ECU answers on (0x7E8, 0x758, 0x18DAF128 ...).
    public var responseID: CANIdentifier
    /// The extended-addressing byte (0xC7 for the Toyota DCM), or nil for normal addressing.
    public var extendedAddress: UInt8?

    /// Creates an address.
    public init(requestID: CANIdentifier, responseID: CANIdentifier, extendedAddress: UInt8? = nil) {
        self.requestID = requestID
        self.responseID = responseID
        self.extendedAddress = extendedAddress
    }

    /// Hashes the three fields folded into one word (each id's 29 bits and format bit, the sub-address and its
    /// presence), so that a decoder's per-message lookups feed the hasher once.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(
            Self.key(requestID) << 34 | Self.key(responseID) << 4
                ^ UInt64(extendedAddress.map { 0x100 | UInt16($0) } ?? 0))
    }

    private static func key(_ id: CANIdentifier) -> UInt64 { UInt64(id.value) << 1 | (id.isExtended ? 1 : 0) }

    /// An 11-bit request id answered on request + 8 (Toyota's and OBD-II's physical pairing).
    /// Returns nil when either id would be out of the 11-bit range.
    public static func standard(request: UInt32, extendedAddress: UInt8? = nil) -> ECUAddress? {
        guard let requestID = CANIdentifier.standard(request), let responseID = CANIdentifier.standard(request + 8)
        else { return nil }
        return ECUAddress(requestID: requestID, responseID: responseID, extendedAddress: extendedAddress)
    }

    /// `750/758 [C7]` or `7E0/7E8`.
    public var description: String {
        let ids = "\(requestID)/\(responseID)"
        guard let extendedAddress else { return ids }
        return ids + " [" + Hex.string(extendedAddress, digits: 2) + "]"
    }

    public static func < (lhs: ECUAddress, rhs: ECUAddress) -> Bool {
        (lhs.requestID, lhs.extendedAddress ?? 0, lhs.responseID) < (
            rhs.requestID, rhs.extendedAddress ?? 0, rhs.responseID
        )
    }
}
