import CANCore

/// The link-layer header types (tcpdump.org/linktypes.html) whose packets can carry SocketCAN frames.
struct LinkType: RawRepresentable, Hashable {
    let rawValue: UInt32

    /// `LINKTYPE_LINUX_SLL`: a 16-byte cooked header, then the frame (protocol 0x000C CAN, 0x000D CAN FD).
    static let linuxCooked = LinkType(rawValue: 113)
    /// `LINKTYPE_CAN_SOCKETCAN`: the frame itself.
    static let socketCAN = LinkType(rawValue: 227)
    /// `LINKTYPE_LINUX_SLL2`: a 20-byte cooked header, then the frame.
    static let linuxCookedV2 = LinkType(rawValue: 276)

    var carriesCAN: Bool { self == .linuxCooked || self == .socketCAN || self == .linuxCookedV2 }
}

/// Turns the bytes of one captured packet into a frame: the SocketCAN layout is can_id (4 bytes), length,
/// FD flags, two reserved bytes, then the data.
///
/// libpcap writes the can_id big-endian for `LINKTYPE_CAN_SOCKETCAN`, but some writers (scapy, and
/// cooked captures, which hold the kernel's host-order struct) store it little-endian. The decoder judges
/// each id under both orders (flag bits that cannot go together, an 11-bit id with high bits set) and keeps
/// the first order that alone makes sense for the rest of the file; until then it uses the link type's
/// usual order.
struct SocketCANPacketDecoder {
    enum ByteOrder { case big, little }

    private(set) var lockedOrder: ByteOrder?

    static let extendedFlag: UInt32 = 0x8000_0000
    static let remoteFlag: UInt32 = 0x4000_0000
    static let errorFlag: UInt32 = 0x2000_0000

    /// Decodes one packet of `linkType`; returns a reason when the packet holds no usable frame.
    mutating func decode(
        _ packet: UnsafeRawBufferPointer, linkType: LinkType, timestamp: Duration?, interface: String?
    ) -> Result<CANFrame, PacketProblem> {
        var bytes = packet
        var isFDByProtocol = false
        var defaultOrder = ByteOrder.big
        switch linkType {
        case .socketCAN:
            break
        case .linuxCooked, .linuxCookedV2:
            let headerLength = linkType == .linuxCooked ? 16 : 20
            let protocolOffset = linkType == .linuxCooked ? 14 : 0
            guard bytes.count >= headerLength else { return .failure(.truncated("cooked header")) }
            let protocolType = UInt16(bytes[protocolOffset]) << 8 | UInt16(bytes[protocolOffset + 1])
            guard protocolType == 0x000C || protocolType == 0x000D else {
                return .failure(.notCAN("cooked packet of protocol 0x\(Hex.string(protocolType, digits: 4))"))
            }
            isFDByProtocol = protocolType == 0x000D
            defaultOrder = .little
            bytes = UnsafeRawBufferPointer(rebasing: bytes[headerLength...])
        default:
            return .failure(.notCAN("link type \(linkType.rawValue)"))
        }
        guard bytes.count >= 8 else { return .failure(.truncated("CAN frame header")) }
        if bytes[4] & 0x80 != 0 { return .failure(.notCAN("CAN XL frame")) }

        let big = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        let little = UInt32(bytes[3]) << 24 | UInt32(bytes[2]) << 16 | UInt32(bytes[1]) << 8 | UInt32(bytes[0])
        let length = Int(bytes[4])
        let order: ByteOrder
        if let lockedOrder {
            order = lockedOrder
        } else {
            let bigMakesSense = Self.makesSense(big, length: length)
            let littleMakesSense = Self.makesSense(little, length: length)
            if bigMakesSense != littleMakesSense {
                order = bigMakesSense ? .big : .little
                lockedOrder = order
            } else {
                order = defaultOrder
            }
        }
        let rawID = order == .big ? big : little
        let flags = bytes[5]
        // CANFD_FDF marks FD frames in newer kernels; older captures show it by the 72-byte canfd_frame.
        let isFD = isFDByProtocol || flags & 0x04 != 0 || length > 8 || bytes.count == 72
        let carriesData = rawID & (Self.remoteFlag | Self.errorFlag) != Self.remoteFlag
        guard !carriesData || bytes.count >= 8 + min(length, 64) else {
            return .failure(.truncated("frame data (\(length) bytes announced, \(bytes.count - 8) captured)"))
        }

        let idValue = rawID & 0x1FFF_FFFF
        if rawID & Self.errorFlag != 0 {
            var data = CANPayload()
            for index in 0..<min(length, 8) { data.append(bytes[8 + index]) }
            let frame = CANFrame(
                unchecked: CANIdentifier(idValue, format: .extended)!, kind: .error(CANErrorClass(rawValue: idValue)),
                data: data, timestamp: timestamp, interface: interface)
            return .success(frame)
        }
        let format: CANIdentifier.Format = rawID & Self.extendedFlag != 0 ? .extended : .standard
        guard let id = CANIdentifier(idValue, format: format) else {
            return .failure(.invalid("standard CAN id 0x\(Hex.string(idValue, digits: 8)) is above 7FF"))
        }
        if rawID & Self.remoteFlag != 0 {
            guard length <= 15 else { return .failure(.invalid("remote frame requesting \(length) bytes")) }
            let frame = CANFrame(
                unchecked: id, kind: .remote(requestedLength: UInt8(length)), data: CANPayload(), timestamp: timestamp,
                interface: interface)
            return .success(frame)
        }
        if isFD {
            guard CANPayload.isValidFDLength(length) else {
                return .failure(.invalid("CAN FD frame with \(length) data bytes"))
            }
        }
        var data = CANPayload()
        for index in 0..<length { data.append(bytes[8 + index]) }
        let kind: CANFrame.Kind = isFD ? .fd(CANFDFlags(rawValue: flags & 0x03)) : .classic
        return .success(CANFrame(unchecked: id, kind: kind, data: data, timestamp: timestamp, interface: interface))
    }

    /// Whether ``decode(_:linkType:timestamp:interface:)`` would make a classic or FD data frame of `packet`
    /// on an id `selection` leaves out: the reader's fast path, which then only counts the packet. It answers
    /// only for `LINKTYPE_CAN_SOCKETCAN` once the byte order is settled (so that skipping `decode` changes no
    /// state), and otherwise says false and lets `decode` run.
    @inline(__always)
    func isPassedOver(_ packet: UnsafeRawBufferPointer, linkType: LinkType, selection: FrameSelection) -> Bool {
        guard linkType == .socketCAN, let lockedOrder, packet.count >= 8, packet[4] & 0x80 == 0 else { return false }
        let value = packet.loadUnaligned(as: UInt32.self)
        let rawID = lockedOrder == .big ? UInt32(bigEndian: value) : UInt32(littleEndian: value)
        guard rawID & (Self.remoteFlag | Self.errorFlag) == 0 else { return false }
        let length = Int(packet[4])
        let isFD = packet[5] & 0x04 != 0 || length > 8 || packet.count == 72
        guard packet.count >= 8 + min(length, 64), !isFD || CANPayload.isValidFDLength(length) else { return false }
        let idValue = rawID & 0x1FFF_FFFF
        if rawID & Self.extendedFlag != 0 { return !selection.containsExtended(idValue) }
        return idValue <= 0x7FF && !selection.containsStandard(idValue)
    }

    /// Whether a can_id read in one byte order is one a kernel could have produced.
    static func makesSense(_ rawID: UInt32, length: Int) -> Bool {
        let isExtended = rawID & extendedFlag != 0
        let isRemote = rawID & remoteFlag != 0
        let isError = rawID & errorFlag != 0
        // CAN_ERR_DLC is 8, and linux/can/error.h defines class bits up to 0x400 only.
        if isError { return !isRemote && !isExtended && length == 8 && rawID & 0x1FFF_F800 == 0 }
        if !isExtended { return rawID & 0x1FFF_FFFF <= 0x7FF }
        return true
    }
}

/// Why one packet gave no frame.
enum PacketProblem: Error {
    case truncated(String)
    case notCAN(String)
    case invalid(String)

    var message: String {
        switch self {
        case .truncated(let what): "packet too short for the \(what)"
        case .notCAN(let what): "not a CAN packet: \(what)"
        case .invalid(let what): what
        }
    }

    var code: LogError.Code {
        switch self {
        case .truncated: .truncated
        case .notCAN: .unsupportedLinkType
        case .invalid: .invalidFrame
        }
    }
}
