public import CANCore

/// The ISO 15765-2 addressing formats (§10.3): how the CAN id and the first data byte carry the address.
public enum ISOTPAddressing: Hashable, Sendable, CaseIterable {
    /// Normal addressing: the CAN id alone names the link (11- or 29-bit), every data byte is protocol.
    case normal
    /// Normal fixed addressing: 29-bit ids 0x18DA<TA><SA> (physical) or 0x18DB<TA><SA> (functional).
    case normalFixed
    /// Extended addressing: the first data byte of every frame is the target address (Toyota's 0x750
    /// gateway: the ECU's sub-address, echoed first in its answers on 0x758).
    case extended
    /// Mixed addressing: the first data byte is an address extension; 11-bit ids, or 29-bit ids
    /// 0x18CE<TA><SA> (physical) / 0x18CD<TA><SA> (functional).
    case mixed

    /// Whether frames carry an address byte before the PCI, which shrinks every frame's payload by one.
    public var usesAddressByte: Bool { self == .extended || self == .mixed }
}

/// Whether a request goes to one node or to all of them (ISO 15765-2 N_TAtype).
public enum ISOTPTargetType: Hashable, Sendable {
    /// One-to-one communication: segmented messages allowed.
    case physical
    /// One-to-many (0x7DF, 0x18DB...): single frames only by the standard.
    case functional
}

/// One end of an ISO-TP link: the ids we send and receive on, and the address bytes that lead the data.
///
/// `transmitAddressExtension` is written as the first data byte of every frame we send (extended or mixed
/// addressing); `receiveAddressExtension` must lead every frame we accept. Build one with the static
/// constructors, and the peer's view with ``reversed``.
public struct ISOTPAddress: Hashable, Sendable, CustomStringConvertible {
    /// The addressing format.
    public var addressing: ISOTPAddressing
    /// The CAN id of the frames we send (requests, or our flow control when receiving).
    public var transmitID: CANIdentifier
    /// The CAN id of the frames we accept.
    public var receiveID: CANIdentifier
    /// The first data byte of every frame we send, for extended and mixed addressing.
    public var transmitAddressExtension: UInt8?
    /// The first data byte every frame we accept must carry, for extended and mixed addressing.
    public var receiveAddressExtension: UInt8?

    /// Creates an address from its parts. Extended and mixed addressing need both address bytes.
    public init(
        addressing: ISOTPAddressing, transmitID: CANIdentifier, receiveID: CANIdentifier,
        transmitAddressExtension: UInt8? = nil, receiveAddressExtension: UInt8? = nil
    ) {
        precondition(
            addressing.usesAddressByte == (transmitAddressExtension != nil)
                && addressing.usesAddressByte == (receiveAddressExtension != nil),
            "extended and mixed addressing take both address bytes; the others take none")
        self.addressing = addressing
        self.transmitID = transmitID
        self.receiveID = receiveID
        self.transmitAddressExtension = transmitAddressExtension
        self.receiveAddressExtension = receiveAddressExtension
    }

    /// Normal addressing on a pair of 11-bit or 29-bit ids (0x7E0 → 0x7E8).
    public static func normal(transmitID: CANIdentifier, receiveID: CANIdentifier) -> ISOTPAddress {
        ISOTPAddress(addressing: .normal, transmitID: transmitID, receiveID: receiveID)
    }

    /// Normal fixed addressing: we send on 0x18DA<target><source> (0x18DB for functional requests) and
    /// receive on 0x18DA<source><target>.
    public static func normalFixed(
        sourceAddress: UInt8, targetAddress: UInt8, targetType: ISOTPTargetType = .physical
    ) -> ISOTPAddress {
        let transmitBase: UInt32 = targetType == .physical ? 0x18DA_0000 : 0x18DB_0000
        return ISOTPAddress(
            addressing: .normalFixed,
            transmitID: .extended(transmitBase | UInt32(targetAddress) << 8 | UInt32(sourceAddress))!,
            receiveID: .extended(0x18DA_0000 | UInt32(sourceAddress) << 8 | UInt32(targetAddress))!)
    }

    /// Extended addressing: `targetAddress` leads the frames we send, `sourceAddress` the frames we accept.
    /// Toyota's telematics DCM is `extended(transmitID: 0x750, receiveID: 0x758, targetAddress: 0xC7,
    /// sourceAddress: 0xC7)`: the gateway answers with the ECU's sub-address first.
    public static func extended(
        transmitID: CANIdentifier, receiveID: CANIdentifier, targetAddress: UInt8, sourceAddress: UInt8
    ) -> ISOTPAddress {
        ISOTPAddress(
            addressing: .extended, transmitID: transmitID, receiveID: receiveID,
            transmitAddressExtension: targetAddress, receiveAddressExtension: sourceAddress)
    }

    /// Mixed addressing on 11-bit ids: the same address extension leads every frame in both directions.
    public static func mixed(
        transmitID: CANIdentifier, receiveID: CANIdentifier, addressExtension: UInt8
    ) -> ISOTPAddress {
        ISOTPAddress(
            addressing: .mixed, transmitID: transmitID, receiveID: receiveID,
            transmitAddressExtension: addressExtension, receiveAddressExtension: addressExtension)
    }

    /// Mixed addressing on 29-bit ids: we send on 0x18CE<target><source> (0x18CD functional) and receive on
    /// 0x18CE<source><target>, with the address extension first in every frame.
    public static func mixed(
        sourceAddress: UInt8, targetAddress: UInt8, addressExtension: UInt8,
        targetType: ISOTPTargetType = .physical
    ) -> ISOTPAddress {
        let transmitBase: UInt32 = targetType == .physical ? 0x18CE_0000 : 0x18CD_0000
        return ISOTPAddress(
            addressing: .mixed,
            transmitID: .extended(transmitBase | UInt32(targetAddress) << 8 | UInt32(sourceAddress))!,
            receiveID: .extended(0x18CE_0000 | UInt32(sourceAddress) << 8 | UInt32(targetAddress))!,
            transmitAddressExtension: addressExtension, receiveAddressExtension: addressExtension)
    }

    /// The other end of the link: ids and address bytes swapped.
    public var reversed: ISOTPAddress {
        ISOTPAddress(
            addressing: addressing, transmitID: receiveID, receiveID: transmitID,
            transmitAddressExtension: receiveAddressExtension, receiveAddressExtension: transmitAddressExtension)
    }

    /// The number of address bytes before the PCI: 1 for extended and mixed addressing, else 0.
    public var addressByteCount: Int { addressing.usesAddressByte ? 1 : 0 }

    /// True when `frame` is addressed to us: our receive id and, with an address byte, our receive extension.
    public func accepts(_ frame: CANFrame) -> Bool {
        guard frame.isDataFrame, frame.id == receiveID else { return false }
        guard let receiveAddressExtension else { return true }
        return frame.data.first == receiveAddressExtension
    }

    /// The mode and both ends, as "extended 750/C7→758/C7".
    public var description: String {
        func side(_ id: CANIdentifier, _ byte: UInt8?) -> String {
            byte.map { "\(id)/\(Hex.string($0, digits: 2))" } ?? id.description
        }
        let transmit = side(transmitID, transmitAddressExtension)
        return "\(addressing) \(transmit)→\(side(receiveID, receiveAddressExtension))"
    }
}
