public import CANCore

/// Which data frames a ``LogReader`` hands out in full: a set of 11-bit ids and of 29-bit id groups (ids that
/// share their upper 13 bits). Classic and FD data frames on other ids are checked as carefully as any, then
/// only counted (``LogReader/framesPassedOver``) — a log that is 95% broadcast traffic need not become 95%
/// frame values. Remote and error frames are always handed out.
public struct FrameSelection: Sendable {
    /// Bit n: 11-bit id n is selected.
    private var standard: [UInt64]
    /// Bit n: 29-bit ids whose value >> 16 is n are selected.
    private var extendedGroups: [UInt64]

    /// A selection made by asking `standardID` about each 11-bit id (0-0x7FF) and `extendedGroup` about each
    /// 29-bit group (id >> 16, 0-0x1FFF).
    public init(standardID: (UInt32) -> Bool, extendedGroup: (UInt32) -> Bool) {
        standard = [UInt64](repeating: 0, count: 32)
        extendedGroups = [UInt64](repeating: 0, count: 128)
        for value in UInt32(0)...0x7FF where standardID(value) { standard[Int(value >> 6)] |= 1 << (value & 63) }
        for group in UInt32(0)...0x1FFF where extendedGroup(group) {
            extendedGroups[Int(group >> 6)] |= 1 << (group & 63)
        }
    }

    /// Whether frames on `id` are handed out.
    @inline(__always)
    public func contains(_ id: CANIdentifier) -> Bool {
        id.isExtended ? containsExtended(id.value) : containsStandard(id.value)
    }

    /// Whether 11-bit id `value` (at most 0x7FF) is selected.
    @inline(__always)
    func containsStandard(_ value: UInt32) -> Bool {
        standard[Int(value >> 6)] & (1 << (value & 63)) != 0
    }

    /// Whether 29-bit id `value` (at most 0x1FFFFFFF) is selected.
    @inline(__always)
    func containsExtended(_ value: UInt32) -> Bool {
        let group = value >> 16
        return extendedGroups[Int(group >> 6)] & (1 << (group & 63)) != 0
    }

    /// Whether a frame of `kind` on `id` is handed out.
    @inline(__always)
    func hands(_ id: CANIdentifier, _ kind: CANFrame.Kind) -> Bool {
        switch kind {
        case .classic, .fd: contains(id)
        case .remote, .error: true
        }
    }
}
