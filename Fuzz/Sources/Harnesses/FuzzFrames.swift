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

extension FuzzInput {
    /// The bytes `frame(at:)` reads back as `frame` (its id, kind and data), `elapsed` after the frame before: the
    /// inverse of `frame(at:)`, to seed frame-sequence harnesses with real traffic from `Fixtures/`. The time step
    /// is kept to the millisecond below 128 ms, to the second from 1 s to 63 s, and clamped otherwise.
    static func encode(_ frame: CANFrame, elapsed: Duration) -> [UInt8] {
        var bytes: [UInt8] = []
        let kindBits: UInt8 =
            switch frame.kind {
            case .classic: 0
            case .fd: 4
            case .remote: 6
            case .error: 7
            }
        if let index = interestingIDs.firstIndex(of: frame.id) {
            bytes += [kindBits, UInt8(index)]
        } else if frame.id.isExtended {
            let value = frame.id.value
            bytes += [
                0xC0 | kindBits, UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF),
                UInt8(value & 0xFF),
            ]
        } else {
            bytes += [0x80 | kindBits, UInt8(frame.id.value >> 8), UInt8(frame.id.value & 0xFF)]
        }
        switch frame.kind {
        case .classic: bytes.append(UInt8(frame.data.count))
        case .fd(let flags):
            bytes.append(flags.rawValue & 0x07)
            bytes.append(UInt8(CANPayload.validFDLengths.firstIndex(of: frame.data.count) ?? 8))
        case .remote(let length): bytes.append(length & 0x0F)
        case .error(let classes):
            let value = classes.rawValue
            bytes += [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
        }
        switch frame.kind {
        case .remote: break
        case .error: bytes += (Array(frame.data) + [UInt8](repeating: 0, count: 8)).prefix(8)
        default: bytes += Array(frame.data)
        }
        let milliseconds = max(0, Int(elapsed / .milliseconds(1)))
        bytes.append(milliseconds < 128 ? UInt8(milliseconds) : 0x80 | UInt8(min(63, milliseconds / 1000)))
        return bytes
    }

    /// Each frame of `frames` encoded with its time step (see ``encode(_:elapsed:)``).
    static func encode(_ frames: [CANFrame]) -> [UInt8] {
        var bytes: [UInt8] = []
        var previous = frames.first?.timestamp ?? .zero
        for frame in frames {
            let time = frame.timestamp ?? previous
            bytes += encode(frame, elapsed: time - previous)
            previous = time
        }
        return bytes
    }
}
