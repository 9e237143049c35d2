import CANCore

extension FuzzInput {
    /// Ids a diagnostic decoder treats specially (Toyota's DCM gateway, the OBD and KWP ranges, normal fixed
    /// and mixed 29-bit addressing), so that mutated inputs reach the ISO-TP paths instead of being ignored.
    static let interestingIDs: [CANIdentifier] = [
        .standard(0x750)!, .standard(0x758)!, .standard(0x7DF)!, .standard(0x7E0)!, .standard(0x7E8)!,
        .standard(0x7C0)!, .standard(0x7C8)!, .standard(0x700)!, .standard(0x123)!,
        .extended(0x18DB_33F1)!, .extended(0x18DA_10F1)!, .extended(0x18DA_F110)!, .extended(0x18CE_10F1)!,
    ]

    /// One CAN frame: a kind byte, an id (from the interesting list or any), a length and data, and a time
    /// step. Valid by construction: every frame a reader could produce, none it could not.
    mutating func frame(at time: inout Duration) -> CANFrame {
        let kindByte = byte()
        let id: CANIdentifier
        if kindByte & 0x80 == 0 {
            id = Self.interestingIDs[choice(Self.interestingIDs.count)]
        } else if kindByte & 0x40 == 0 {
            id = .standard(UInt32(uint16()) & 0x7FF)!
        } else {
            id = .extended(uint32() & 0x1FFF_FFFF)!
        }
        let kind: CANFrame.Kind
        var length: Int
        switch kindByte & 0x07 {
        case 0, 1, 2, 3:
            kind = .classic
            length = choice(9)
        case 4, 5:
            kind = .fd(CANFDFlags(rawValue: byte() & 0x07))
            length = CANPayload.validFDLengths[choice(CANPayload.validFDLengths.count)]
        case 6:
            kind = .remote(requestedLength: byte() & 0x0F)
            length = 0
        default:
            kind = .error(CANErrorClass(rawValue: uint32() & 0x1FFF_FFFF))
            length = 8
        }
        var data = bytes(length)
        if data.count < length, case .fd = kind {
            data += [UInt8](repeating: 0xCC, count: length - data.count)
        }
        length = data.count
        // A step of 0 to 65 ms, sometimes seconds (timeouts), sometimes backwards (clock jumps in real logs).
        let step = byte()
        switch step >> 6 {
        case 0, 1: time += .microseconds(Int(step) * 1000)
        case 2: time += .seconds(Int(step & 0x3F))
        default: time -= .milliseconds(Int(step & 0x3F))
        }
        let payload = CANPayload(data)!
        return try! CANFrame(id: id, kind: kind, data: payload, timestamp: time, interface: "can0")
    }
}

extension CANPayload {
    /// CAN FD data lengths (ISO 11898-1 DLC 0-15).
    static let validFDLengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 16, 20, 24, 32, 48, 64]
}

extension CANFrame {
    /// Why this frame could not have come out of a well-behaved reader, or nil.
    var invalidity: String? {
        if id.value > id.format.maximum { return "id \(id) above its format's maximum" }
        switch kind {
        case .classic, .error: if data.count > 8 { return "classic frame with \(data.count) bytes" }
        case .fd: if !CANPayload.isValidFDLength(data.count) { return "FD frame with \(data.count) bytes" }
        case .remote(let length):
            if !data.isEmpty || length > 15 { return "remote frame with data or length \(length)" }
        }
        return nil
    }
}
