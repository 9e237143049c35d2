/// One frame as it was seen on a bus or read from a log.
///
/// Covers classic CAN data frames (0-8 bytes), CAN FD frames (0-64 bytes in the lengths ISO 11898-1 allows,
/// with the bit-rate-switch and error-state-indicator flags), remote frames (no data, a requested length)
/// and error frames (the kernel's `CAN_ERR_FLAG` frames: error class bits in the id, details in the data).
///
/// The payload is stored inline, so making and copying frames allocates nothing.
public struct CANFrame: Hashable, Sendable {
    /// What sort of frame this is.
    public enum Kind: Hashable, Sendable {
        /// A classic CAN data frame with 0-8 data bytes.
        case classic
        /// A CAN FD data frame with the given flags.
        case fd(CANFDFlags)
        /// A classic remote transmission request. The data is empty; `requestedLength` is the DLC (0-8;
        /// candump writes 0-15 for raw DLC values, which are kept).
        case remote(requestedLength: UInt8)
        /// A SocketCAN error frame (`CAN_ERR_FLAG`): the error classes from the id, details in `data`.
        case error(CANErrorClass)
    }

    /// The arbitration id. For error frames this is the class bits as a 29-bit id (what candump prints).
    public var id: CANIdentifier
    /// Classic, FD, remote or error.
    public var kind: Kind
    /// The data bytes (empty for remote frames).
    public var data: CANPayload
    /// When the frame was received, as time since an epoch: the Unix epoch for absolute timestamps, or the
    /// start of the recording for relative ones. Nil when the source had no time.
    public var timestamp: Duration?
    /// The interface the frame was seen on ("can0", "vcan1", a GVRET bus number as "bus0"...), or nil.
    public var interface: String?

    /// Creates a frame after checking that the data length is valid for the kind.
    ///
    /// - Throws: ``CANFrameError`` when the data is too long for classic CAN, not a valid FD length, or
    ///   present on a remote frame.
    public init(
        id: CANIdentifier, kind: Kind = .classic, data: CANPayload, timestamp: Duration? = nil,
        interface: String? = nil
    ) throws(CANFrameError) {
        switch kind {
        case .classic, .error:
            guard data.count <= 8 else { throw CANFrameError.dataTooLongForClassicCAN(data.count) }
        case .fd:
            guard CANPayload.isValidFDLength(data.count) else { throw CANFrameError.invalidFDLength(data.count) }
        case .remote(let requestedLength):
            guard data.isEmpty else { throw CANFrameError.dataInRemoteFrame(data.count) }
            guard requestedLength <= 15 else { throw CANFrameError.invalidRemoteLength(requestedLength) }
        }
        self.init(unchecked: id, kind: kind, data: data, timestamp: timestamp, interface: interface)
    }

    /// Creates a frame without validating lengths; for parsers that already checked them.
    @inlinable
    package init(unchecked id: CANIdentifier, kind: Kind, data: CANPayload, timestamp: Duration?, interface: String?) {
        self.id = id
        self.kind = kind
        self.data = data
        self.timestamp = timestamp
        self.interface = interface
    }

    /// Convenience for tests and tools: a classic data frame from an id and at most eight bytes.
    ///
    /// - Throws: ``CANFrameError`` when `bytes` holds more than eight bytes.
    public static func classic(
        _ id: CANIdentifier, _ bytes: [UInt8], timestamp: Duration? = nil, interface: String? = nil
    ) throws(CANFrameError) -> CANFrame {
        guard let payload = CANPayload(bytes) else { throw CANFrameError.dataTooLongForClassicCAN(bytes.count) }
        return try CANFrame(id: id, kind: .classic, data: payload, timestamp: timestamp, interface: interface)
    }

    /// True for CAN FD frames.
    @inlinable
    public var isFD: Bool {
        if case .fd = kind { return true }
        return false
    }

    /// True for classic and FD data frames: the frames that can carry a protocol message.
    @inlinable
    public var isDataFrame: Bool {
        switch kind {
        case .classic, .fd: return true
        case .remote, .error: return false
        }
    }
}

/// The flags of a CAN FD frame, as in the kernel's `canfd_frame.flags` and candump's flags nibble.
public struct CANFDFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// Bit rate switch: the data phase was sent at the higher bit rate (`CANFD_BRS`).
    public static let bitRateSwitch = CANFDFlags(rawValue: 0x01)
    /// Error state indicator: the sender was error passive (`CANFD_ESI`).
    public static let errorStateIndicator = CANFDFlags(rawValue: 0x02)
    /// Marks an FD frame in newer kernels (`CANFD_FDF`); candump prints it in the flags nibble.
    public static let fdFormat = CANFDFlags(rawValue: 0x04)
}

/// The error classes of a SocketCAN error frame: the bits of the id below `CAN_ERR_FLAG` (linux/can/error.h).
public struct CANErrorClass: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// TX timeout (by netdevice driver), `CAN_ERR_TX_TIMEOUT`.
    public static let transmitTimeout = CANErrorClass(rawValue: 0x0000_0001)
    /// Lost arbitration; bit number in data[0], `CAN_ERR_LOSTARB`.
    public static let lostArbitration = CANErrorClass(rawValue: 0x0000_0002)
    /// Controller problems; details in data[1], `CAN_ERR_CRTL`.
    public static let controller = CANErrorClass(rawValue: 0x0000_0004)
    /// Protocol violations; details in data[2] and data[3], `CAN_ERR_PROT`.
    public static let protocolViolation = CANErrorClass(rawValue: 0x0000_0008)
    /// Transceiver status; details in data[4], `CAN_ERR_TRX`.
    public static let transceiver = CANErrorClass(rawValue: 0x0000_0010)
    /// Received no ACK on transmission, `CAN_ERR_ACK`.
    public static let noAcknowledge = CANErrorClass(rawValue: 0x0000_0020)
    /// Bus off, `CAN_ERR_BUSOFF`.
    public static let busOff = CANErrorClass(rawValue: 0x0000_0040)
    /// Bus error (may flood!), `CAN_ERR_BUSERROR`.
    public static let busError = CANErrorClass(rawValue: 0x0000_0080)
    /// Controller restarted, `CAN_ERR_RESTARTED`.
    public static let restarted = CANErrorClass(rawValue: 0x0000_0100)
    /// TX error counter in data[6], RX error counter in data[7], `CAN_ERR_CNT`.
    public static let counters = CANErrorClass(rawValue: 0x0000_0200)

    /// The names of the set bits, in bit order, for printing.
    public var names: [String] {
        let table: [(CANErrorClass, String)] = [
            (.transmitTimeout, "tx-timeout"), (.lostArbitration, "lost-arbitration"), (.controller, "controller"),
            (.protocolViolation, "protocol-violation"), (.transceiver, "transceiver"), (.noAcknowledge, "no-ack"),
            (.busOff, "bus-off"), (.busError, "bus-error"), (.restarted, "restarted"), (.counters, "counters"),
        ]
        var result = table.filter { contains($0.0) }.map(\.1)
        let unknown = rawValue & ~table.reduce(0) { $0 | $1.0.rawValue }
        if unknown != 0 { result.append("0x" + Hex.string(unknown, digits: 8)) }
        return result
    }
}

/// Why a frame could not be made.
public enum CANFrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A classic or error frame with more than eight data bytes.
    case dataTooLongForClassicCAN(Int)
    /// An FD frame whose length is not one of 0-8, 12, 16, 20, 24, 32, 48, 64.
    case invalidFDLength(Int)
    /// A remote frame carrying data.
    case dataInRemoteFrame(Int)
    /// A remote frame whose requested length is above 15.
    case invalidRemoteLength(UInt8)

    public var description: String {
        switch self {
        case .dataTooLongForClassicCAN(let count): "classic CAN frame with \(count) data bytes (at most 8)"
        case .invalidFDLength(let count):
            "CAN FD frame with \(count) data bytes (valid: 0-8, 12, 16, 20, 24, 32, 48, 64)"
        case .dataInRemoteFrame(let count): "remote frame with \(count) data bytes (a remote frame has none)"
        case .invalidRemoteLength(let length): "remote frame requesting \(length) bytes (at most 15)"
        }
    }
}
