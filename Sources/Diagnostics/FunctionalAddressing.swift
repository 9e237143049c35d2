public import CANCore

/// Where a request to every emissions ECU at once goes, and which ids answer it (ISO 15765-4 §6.3.2): the
/// functional request id, and for each response id the ECU's physical address (the tester's flow control for
/// a segmented answer goes to the ECU's physical request id).
public struct FunctionalAddressing: Hashable, Sendable, CustomStringConvertible {
    /// The id functional requests go out on (0x7DF, 0x18DB33F1).
    public var requestID: CANIdentifier

    /// Creates an addressing for `requestID`; use ``obd11Bit`` or ``obd29Bit``.
    init(requestID: CANIdentifier) {
        self.requestID = requestID
    }

    /// 11-bit OBD-II: requests on 0x7DF, answers on 0x7E8-0x7EF, physical requests on the answer's id - 8.
    public static let obd11Bit = FunctionalAddressing(requestID: .standard(0x7DF)!)
    /// 29-bit OBD-II: requests on 0x18DB33F1 (tester 0xF1), answers on 0x18DAF1xx from ECU xx, physical
    /// requests on 0x18DAxxF1.
    public static let obd29Bit = FunctionalAddressing(requestID: .extended(0x18DB_33F1)!)

    /// The ECU answering on `id`, or nil when `id` does not answer this functional request.
    public func responder(answeringOn id: CANIdentifier) -> ECUAddress? {
        if requestID.isExtended {
            guard id.isExtended, id.value & 0xFFFF_FF00 == 0x18DA_F100 else { return nil }
            let ecu = id.value & 0xFF
            guard ecu != 0xF1, let request = CANIdentifier.extended(0x18DA_0000 | ecu << 8 | 0xF1) else { return nil }
            return ECUAddress(requestID: request, responseID: id)
        }
        guard !id.isExtended, (0x7E8...0x7EF).contains(id.value) else { return nil }
        return ECUAddress.standard(request: id.value - 8)
    }

    /// `7DF` or `18DB33F1`.
    public var description: String { requestID.description }
}
