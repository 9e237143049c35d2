/// The ISO 14229-1 DTC status byte (Annex D.2): eight independent flags an ECU keeps per DTC.
public struct DTCStatus: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    @inlinable
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bit 0: the most recent test failed.
    public static let testFailed = DTCStatus(rawValue: 0x01)
    /// Bit 1: a test failed during the current operation cycle.
    public static let testFailedThisOperationCycle = DTCStatus(rawValue: 0x02)
    /// Bit 2: failed in the current or last completed operation cycle (pending).
    public static let pendingDTC = DTCStatus(rawValue: 0x04)
    /// Bit 3: confirmed (stored, matured) since the last clear.
    public static let confirmedDTC = DTCStatus(rawValue: 0x08)
    /// Bit 4: the test has not completed since the last clear.
    public static let testNotCompletedSinceLastClear = DTCStatus(rawValue: 0x10)
    /// Bit 5: the test failed at least once since the last clear.
    public static let testFailedSinceLastClear = DTCStatus(rawValue: 0x20)
    /// Bit 6: the test has not completed this operation cycle.
    public static let testNotCompletedThisOperationCycle = DTCStatus(rawValue: 0x40)
    /// Bit 7: the ECU requests the warning indicator (MIL) for this DTC.
    public static let warningIndicatorRequested = DTCStatus(rawValue: 0x80)

    /// Every bit with its ISO 14229-1 name, in bit order.
    public static let namedBits: [(bit: DTCStatus, name: String)] = [
        (.testFailed, "testFailed"), (.testFailedThisOperationCycle, "testFailedThisOperationCycle"),
        (.pendingDTC, "pendingDTC"), (.confirmedDTC, "confirmedDTC"),
        (.testNotCompletedSinceLastClear, "testNotCompletedSinceLastClear"),
        (.testFailedSinceLastClear, "testFailedSinceLastClear"),
        (.testNotCompletedThisOperationCycle, "testNotCompletedThisOperationCycle"),
        (.warningIndicatorRequested, "warningIndicatorRequested"),
    ]

    /// The names of the set bits, in bit order.
    public var names: [String] { Self.namedBits.filter { contains($0.bit) }.map(\.name) }

    /// What a mechanic reads off the byte. This mapping to Toyota's "current / pending / history" wording
    /// is CarDiag's own (no public Toyota document defines it): testFailed → current; pendingDTC →
    /// pending; confirmedDTC without testFailed → history.
    public var summary: DTCStatusSummary {
        DTCStatusSummary(
            isCurrent: contains(.testFailed),
            isPending: contains(.pendingDTC),
            isHistory: contains(.confirmedDTC) && !contains(.testFailed),
            isConfirmed: contains(.confirmedDTC),
            isWarningIndicatorRequested: contains(.warningIndicatorRequested),
            isTestIncomplete: contains(.testNotCompletedThisOperationCycle)
                || contains(.testNotCompletedSinceLastClear))
    }
}

/// The status byte read the way a mechanic reads it (see ``DTCStatus/summary``).
public struct DTCStatusSummary: Hashable, Sendable, CustomStringConvertible {
    /// The fault is present now (testFailed).
    public var isCurrent: Bool
    /// The fault was seen this or last cycle and has not matured yet (pendingDTC).
    public var isPending: Bool
    /// Stored earlier and not failing now (confirmedDTC without testFailed).
    public var isHistory: Bool
    /// Matured and stored (confirmedDTC), whether or not it is failing now.
    public var isConfirmed: Bool
    /// The ECU asks for the warning lamp (MIL).
    public var isWarningIndicatorRequested: Bool
    /// A test has not completed since the last clear or this cycle.
    public var isTestIncomplete: Bool

    /// The headline state: "current", "pending", "history", or "stored" when no bit above says more.
    public var state: String {
        if isCurrent { return "current" }
        if isPending { return "pending" }
        if isHistory { return "history" }
        return "stored"
    }

    /// For example "current, confirmed, MIL on".
    public var description: String {
        var parts = [state]
        if isConfirmed && state != "history" { parts.append("confirmed") }
        if isPending && state != "pending" { parts.append("pending") }
        if isWarningIndicatorRequested { parts.append("MIL on") }
        if isTestIncomplete { parts.append("test not completed") }
        return parts.joined(separator: ", ")
    }
}
