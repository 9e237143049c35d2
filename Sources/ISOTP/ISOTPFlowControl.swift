/// The parameters of a flow-control frame (ISO 15765-2:2016 §9.6.5): status, block size and STmin.
public struct ISOTPFlowControl: Hashable, Sendable, CustomStringConvertible {
    /// Continue to send, wait, or overflow.
    public var status: ISOTPFlowStatus
    /// BS: how many consecutive frames to send before waiting for the next flow control; 0 means all.
    public var blockSize: UInt8
    /// STmin: the least time between two consecutive frames, as sent on the wire.
    public var separationTime: ISOTPSeparationTime

    /// Creates flow-control parameters.
    public init(status: ISOTPFlowStatus, blockSize: UInt8 = 0, separationTime: ISOTPSeparationTime = .zero) {
        self.status = status
        self.blockSize = blockSize
        self.separationTime = separationTime
    }

    /// "FC CTS BS=0 STmin=0ms".
    public var description: String {
        "FC \(status) BS=\(blockSize) STmin=\(separationTime)"
    }
}

/// FlowStatus (FS), the low nibble of a flow-control PCI byte (§9.6.5.1); 3-15 are reserved.
public struct ISOTPFlowStatus: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The nibble value.
    public let rawValue: UInt8
    /// Wraps a nibble value (0-15).
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// FS = 0: send the next block of consecutive frames (CTS).
    public static let continueToSend = ISOTPFlowStatus(rawValue: 0)
    /// FS = 1: wait for another flow-control frame (WAIT).
    public static let wait = ISOTPFlowStatus(rawValue: 1)
    /// FS = 2: the message is too long for the receiver (OVFLW); the sender aborts.
    public static let overflow = ISOTPFlowStatus(rawValue: 2)

    /// True for 3-15.
    public var isReserved: Bool { rawValue > 2 }

    /// "CTS", "WAIT", "OVFLW" or "reserved(n)".
    public var description: String {
        switch self {
        case .continueToSend: "CTS"
        case .wait: "WAIT"
        case .overflow: "OVFLW"
        default: "reserved(\(rawValue))"
        }
    }
}

/// SeparationTime minimum (STmin) as coded in a flow-control frame (§9.6.5.4).
///
/// 0x00-0x7F are 0-127 ms, 0xF1-0xF9 are 100-900 µs; everything else is reserved. A sender that receives a
/// reserved value uses the longest one, 0x7F = 127 ms. The brief placed that rule in §9.6.5.4; a public
/// section-by-section summary of ISO 15765-2:2016 puts the definition in §9.6.5.4 and the reserved-value
/// rule in §9.6.5.5 "STmin error handling" (the 2004 edition had it in §8.5.5.6, as isotp-c cites). We
/// could not read the standard itself, so we cite both.
public struct ISOTPSeparationTime: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The byte as sent.
    public let rawValue: UInt8
    /// Wraps a byte as sent; reserved values are kept (and mean 127 ms, see ``duration``).
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// No separation time.
    public static let zero = ISOTPSeparationTime(rawValue: 0)
    /// The longest valid STmin, 127 ms, which also stands in for reserved values.
    public static let maximum = ISOTPSeparationTime(rawValue: 0x7F)

    /// The coding of the shortest STmin at least `duration` long (0 → 0x00, 300 µs → 0xF3, 1.5 ms → 0x02);
    /// durations above 127 ms become 0x7F.
    public init(atLeast duration: Duration) {
        let microseconds = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        if microseconds <= 0 {
            rawValue = 0
        } else if microseconds <= 900 {
            rawValue = 0xF0 + UInt8((microseconds + 99) / 100)
        } else {
            rawValue = UInt8(min(127, (microseconds + 999) / 1000))
        }
    }

    /// True for 0x80-0xF0 and 0xFA-0xFF.
    public var isReserved: Bool {
        !(rawValue <= 0x7F || (0xF1...0xF9).contains(rawValue))
    }

    /// The time to leave between consecutive frames; reserved values give 127 ms (§9.6.5.5, see above).
    public var duration: Duration {
        switch rawValue {
        case 0...0x7F: .milliseconds(Int(rawValue))
        case 0xF1...0xF9: .microseconds(Int(rawValue - 0xF0) * 100)
        default: .milliseconds(127)
        }
    }

    /// "20ms", "300µs", or "reserved(0x80)=127ms".
    public var description: String {
        switch rawValue {
        case 0...0x7F: "\(rawValue)ms"
        case 0xF1...0xF9: "\(Int(rawValue - 0xF0) * 100)µs"
        default: "reserved(0x\(String(rawValue, radix: 16, uppercase: true)))=127ms"
        }
    }
}
