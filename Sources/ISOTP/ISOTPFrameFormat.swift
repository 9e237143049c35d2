public import CANCore

/// How an ISO-TP sender lays out its CAN frames: classic or FD, the transmit data length TX_DL, and padding.
///
/// ISO 15765-2:2016 §10.4.2: with padding, a classic frame is always 8 bytes; without it ("data
/// optimisation"), single frames, flow control and the last consecutive frame are only as long as their
/// content. A CAN FD frame longer than 8 bytes must be padded up to the next valid FD length
/// (`CANPayload.fdLength(holding:)`), with 0xCC when no padding byte is configured (§10.4.2.3).
public struct ISOTPFrameFormat: Hashable, Sendable {
    /// The FD flags to send with, or nil for classic CAN.
    public var fdFlags: CANFDFlags?
    /// TX_DL: the largest frame we send. 8 for classic CAN; 8, 12, 16, 20, 24, 32, 48 or 64 for CAN FD.
    public var transmitDataLength: Int
    /// The byte that fills frames up to their length, or nil to send short frames where allowed.
    public var paddingByte: UInt8?
    /// Whether received frames must carry ``paddingByte`` (or 0xCC when nil) after their data; a mismatch is
    /// reported as ``ISOTPError/Code/paddingMismatch``. Off by default: received padding is ignored.
    public var checksReceivedPadding: Bool

    /// The padding value the standard recommends (§10.4.2.1) and the kernel uses.
    public static let defaultPaddingByte: UInt8 = 0xCC

    /// Classic CAN, 8-byte frames, padded with `paddingByte` (nil: short frames).
    public static func classic(paddingByte: UInt8? = defaultPaddingByte, checksReceivedPadding: Bool = false)
        -> ISOTPFrameFormat
    {
        ISOTPFrameFormat(
            fdFlags: nil, transmitDataLength: 8, paddingByte: paddingByte, checksReceivedPadding: checksReceivedPadding)
    }

    /// CAN FD with frames of up to `transmitDataLength` bytes (a valid FD length of 8 or more).
    public static func fd(
        transmitDataLength: Int = 64, bitRateSwitch: Bool = true, paddingByte: UInt8? = defaultPaddingByte,
        checksReceivedPadding: Bool = false
    ) -> ISOTPFrameFormat {
        precondition(
            transmitDataLength >= 8 && CANPayload.isValidFDLength(transmitDataLength),
            "TX_DL must be a valid FD length ≥ 8")
        return ISOTPFrameFormat(
            fdFlags: bitRateSwitch ? [.bitRateSwitch] : [], transmitDataLength: transmitDataLength,
            paddingByte: paddingByte, checksReceivedPadding: checksReceivedPadding)
    }

    /// True for CAN FD.
    public var isFD: Bool { fdFlags != nil }

    /// The CAN frame kind to send.
    var frameKind: CANFrame.Kind { fdFlags.map { .fd($0) } ?? .classic }

    /// The length of a frame holding `contentLength` bytes (address byte, PCI and data) after padding.
    func frameLength(holding contentLength: Int) -> Int {
        if contentLength > 8 { return CANPayload.fdLength(holding: contentLength) ?? 64 }
        return paddingByte == nil ? contentLength : 8
    }

    /// The byte written after the content: the padding byte, or 0xCC for mandatory FD padding.
    var fillByte: UInt8 { paddingByte ?? Self.defaultPaddingByte }

    /// The largest message a single frame carries with `addressBytes` address bytes (0 or 1): 7 or 6 in a
    /// classic frame, TX_DL - 2 - addressBytes with the FD escape (62 or 61 for TX_DL 64).
    public func singleFrameCapacity(addressBytes: Int) -> Int {
        transmitDataLength > 8 ? transmitDataLength - 2 - addressBytes : 7 - addressBytes
    }

    /// The data bytes a first frame carries for a message of `messageLength` bytes: TX_DL - 2 - addressBytes,
    /// or 4 fewer when the length needs the 32-bit escape (above 4095).
    public func firstFrameCapacity(messageLength: Int, addressBytes: Int) -> Int {
        transmitDataLength - (messageLength > 4095 ? 6 : 2) - addressBytes
    }

    /// The data bytes a consecutive frame carries: TX_DL - 1 - addressBytes.
    public func consecutiveFrameCapacity(addressBytes: Int) -> Int {
        transmitDataLength - 1 - addressBytes
    }
}
