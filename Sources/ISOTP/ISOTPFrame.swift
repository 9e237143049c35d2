public import CANCore

/// One ISO-TP protocol data unit (N_PDU) as carried in a CAN frame's data, after any address byte.
///
/// Layouts (ISO 15765-2:2016 §9.6, Table 9), byte 0 being the first byte after the address byte:
/// ```
/// SF  0L dd dd ...          L = SF_DL 1-7 (CAN_DL ≤ 8)
/// SF  00 LL dd ...          escape for CAN_DL > 8: SF_DL in byte 1
/// FF  1L LL dd ...          FF_DL 12 bits, 8-4095
/// FF  10 00 LL LL LL LL dd  escape: FF_DL 32 bits, above 4095
/// CF  2N dd ...             N = sequence number 0-15
/// FC  3S BS ST              S = flow status, BS = block size, ST = STmin
/// ```
public enum ISOTPFrame: Hashable, Sendable {
    /// A single frame: the whole message.
    case single(CANPayload)
    /// The first frame of a segmented message: its total length and first bytes.
    case first(messageLength: Int, CANPayload)
    /// A consecutive frame: its sequence number and every byte after the PCI, padding included (only the
    /// receiver knows how many of them belong to the message).
    case consecutive(sequenceNumber: UInt8, CANPayload)
    /// A flow-control frame.
    case flowControl(ISOTPFlowControl)

    /// Decodes the N_PDU in `data`, skipping `addressBytes` (0, or 1 for extended and mixed addressing).
    ///
    /// Checks the length rules of §9.6.2.2 (SF_DL), §9.6.3.2 (FF_DL and the escape) and the minimum length of
    /// a flow-control frame. Received padding is not looked at; see ``checkPadding(_:from:byte:)``.
    ///
    /// - Throws: ``ISOTPError`` with code `frameTooShort`, `invalidProtocolControlInformation`,
    ///   `invalidSingleFrameLength` or `invalidFirstFrameLength`.
    public init(decoding data: CANPayload, addressBytes: Int = 0) throws(ISOTPError) {
        let count = data.count
        let start = addressBytes
        guard count > start else {
            throw ISOTPError(.frameTooShort, "\(count) data bytes leave no PCI byte after \(start) address byte(s)")
        }
        let pci = data[start]
        switch pci >> 4 {
        case 0:
            self = .single(try Self.decodeSingleFrame(data, start: start))
        case 1:
            self = try Self.decodeFirstFrame(data, start: start)
        case 2:
            self = .consecutive(sequenceNumber: pci & 0x0F, Self.slice(data, from: start + 1, to: count))
        case 3:
            guard count >= start + 3 else {
                throw ISOTPError(.frameTooShort, "flow control in \(count) bytes; needs \(start + 3)")
            }
            self = .flowControl(
                ISOTPFlowControl(
                    status: ISOTPFlowStatus(rawValue: pci & 0x0F), blockSize: data[start + 1],
                    separationTime: ISOTPSeparationTime(rawValue: data[start + 2])))
        default:
            throw ISOTPError(
                .invalidProtocolControlInformation, "PCI type \(pci >> 4) (byte 0x\(Hex.string(pci, digits: 2)))")
        }
    }

    private static func decodeSingleFrame(_ data: CANPayload, start: Int) throws(ISOTPError) -> CANPayload {
        let count = data.count
        let nibble = Int(data[start] & 0x0F)
        if count <= 8 {
            // §9.6.2.2: with CAN_DL ≤ 8, SF_DL 0 (the escape) is invalid and SF_DL must fit the frame.
            guard nibble > 0, start + 1 + nibble <= count else {
                throw ISOTPError(.invalidSingleFrameLength, "SF_DL \(nibble) in a frame of \(count) bytes")
            }
            return slice(data, from: start + 1, to: start + 1 + nibble)
        }
        // CAN_DL > 8 requires the escape: low nibble 0, SF_DL in the next byte. We accept an SF_DL that would
        // have fitted the short form (the standard says to ignore it) because padded FD senders produce it.
        guard nibble == 0 else {
            throw ISOTPError(
                .invalidSingleFrameLength, "SF_DL \(nibble) in the PCI of a \(count)-byte FD frame (needs the escape)")
        }
        let length = Int(data[start + 1])
        guard length > 0, start + 2 + length <= count else {
            throw ISOTPError(.invalidSingleFrameLength, "escaped SF_DL \(length) in a frame of \(count) bytes")
        }
        return slice(data, from: start + 2, to: start + 2 + length)
    }

    private static func decodeFirstFrame(_ data: CANPayload, start: Int) throws(ISOTPError) -> ISOTPFrame {
        let count = data.count
        // §9.6.3.2: a first frame is never shorter than 8 bytes.
        guard count >= 8 else {
            throw ISOTPError(.invalidFirstFrameLength, "first frame in \(count) bytes; needs 8")
        }
        var length = Int(data[start] & 0x0F) << 8 | Int(data[start + 1])
        var dataStart = start + 2
        if length == 0 {
            length =
                Int(data[start + 2]) << 24 | Int(data[start + 3]) << 16 | Int(data[start + 4]) << 8
                | Int(data[start + 5])
            dataStart = start + 6
            guard length > 4095 else {
                throw ISOTPError(.invalidFirstFrameLength, "escaped FF_DL \(length) is not above 4095")
            }
        }
        // FF_DLmin: a message that fits a single frame of this CAN_DL must not be segmented.
        let singleFrameMaximum = count > 8 ? count - 2 - start : 7 - start
        guard length > singleFrameMaximum else {
            throw ISOTPError(
                .invalidFirstFrameLength,
                "FF_DL \(length) fits a single frame of \(count) bytes (≤ \(singleFrameMaximum))")
        }
        return .first(messageLength: length, slice(data, from: dataStart, to: count))
    }

    @inline(__always)
    private static func slice(_ data: CANPayload, from lower: Int, to upper: Int) -> CANPayload {
        var result = CANPayload()
        var index = lower
        while index < upper {
            result.append(data[index])
            index += 1
        }
        return result
    }

    /// Where padding starts in a received frame of `frameLength` bytes holding this SF or FC after
    /// `addressBytes` address bytes; nil for FF and CF (a FF has none, a CF's depends on the message).
    func paddingStart(frameLength: Int, addressBytes: Int) -> Int? {
        switch self {
        case .single(let payload): addressBytes + (frameLength > 8 ? 2 : 1) + payload.count
        case .flowControl: addressBytes + 3
        case .first, .consecutive: nil
        }
    }

    /// Checks that every byte of `data` from `index` on equals `byte` (strict padding check).
    ///
    /// - Throws: ``ISOTPError`` with code `paddingMismatch` naming the first offending byte.
    public static func checkPadding(_ data: CANPayload, from index: Int, byte: UInt8) throws(ISOTPError) {
        var position = index
        while position < data.count {
            guard data[position] == byte else {
                throw ISOTPError(
                    .paddingMismatch,
                    "byte \(position) is 0x\(Hex.string(data[position], digits: 2)), "
                        + "padding is 0x\(Hex.string(byte, digits: 2))"
                )
            }
            position += 1
        }
    }

    /// The CAN data for this N_PDU: the address byte if any, the PCI, the data, then padding per `format`.
    ///
    /// A single frame uses the FD escape when it does not fit the short form (more than 7 bytes with the PCI
    /// and address byte); a first frame uses the 32-bit length escape above 4095 bytes. The caller keeps the
    /// content within `format`'s TX_DL.
    public func encoded(addressExtension: UInt8?, format: ISOTPFrameFormat) -> CANPayload {
        var data = CANPayload()
        if let addressExtension { data.append(addressExtension) }
        switch self {
        case .single(let payload):
            if data.count + 1 + payload.count <= 8 {
                data.append(UInt8(payload.count))
            } else {
                data.append(0x00)
                data.append(UInt8(payload.count))
            }
            for byte in payload { data.append(byte) }
        case .first(let length, let payload):
            if length > 4095 {
                data.append(0x10)
                data.append(0x00)
                for shift in [24, 16, 8, 0] { data.append(UInt8(truncatingIfNeeded: length >> shift)) }
            } else {
                data.append(0x10 | UInt8(length >> 8))
                data.append(UInt8(truncatingIfNeeded: length))
            }
            for byte in payload { data.append(byte) }
        case .consecutive(let sequenceNumber, let payload):
            data.append(0x20 | sequenceNumber & 0x0F)
            for byte in payload { data.append(byte) }
        case .flowControl(let flowControl):
            data.append(0x30 | flowControl.status.rawValue & 0x0F)
            data.append(flowControl.blockSize)
            data.append(flowControl.separationTime.rawValue)
        }
        let length = format.frameLength(holding: data.count)
        while data.count < length { data.append(format.fillByte) }
        return data
    }
}
