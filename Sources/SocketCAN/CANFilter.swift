public import CANCore

/// A kernel receive filter (`struct can_filter`): a frame passes when `received_id & mask == id & mask`,
/// or when it does not, for an inverted filter. A socket with several filters receives the union.
public struct CANFilter: Hashable, Sendable {
    /// The identifier to match.
    public var id: CANIdentifier
    /// The bits of the id that must match (0x7FF for an exact standard id, 0x1FFFFFFF for an exact extended id).
    public var mask: UInt32
    /// Pass the frames that do not match instead (`CAN_INV_FILTER`).
    public var isInverted: Bool

    /// Creates a filter; the default mask matches exactly this id.
    public init(id: CANIdentifier, mask: UInt32? = nil, isInverted: Bool = false) {
        self.id = id
        self.mask = mask ?? id.format.maximum
        self.isInverted = isInverted
    }

    /// The filter for exactly one id (and only its format: an 11-bit filter does not pass 29-bit frames).
    public static func exactly(_ id: CANIdentifier) -> CANFilter { CANFilter(id: id) }

    /// The kernel words `(can_id, can_mask)` for this filter. The mask includes the extended-frame and
    /// remote-frame flags, so an 11-bit filter does not pass a 29-bit frame with the same low bits and remote
    /// frames are not mistaken for data frames (as candump's `~` and `#` options do).
    package var kernelWords: (id: UInt32, mask: UInt32) {
        var word = KernelFrameCodec.kernelID(id)
        if isInverted { word |= 0x2000_0000 }  // CAN_INV_FILTER shares bit 29 with CAN_ERR_FLAG
        return (word, mask | KernelFrameCodec.extendedFlag | KernelFrameCodec.remoteFlag)
    }
}
