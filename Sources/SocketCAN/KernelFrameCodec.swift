package import CANCore

/// Converts between ``CANFrame`` and the kernel's `struct can_frame` (16 bytes, `CAN_MTU`) and
/// `struct canfd_frame` (72 bytes, `CANFD_MTU`), byte for byte (linux/can.h).
///
/// Layout of both: `can_id` (u32, host order; bit 31 `CAN_EFF_FLAG`, bit 30 `CAN_RTR_FLAG`, bit 29
/// `CAN_ERR_FLAG`), `len` (u8), then `__pad`/`flags`, `__res0`, `len8_dlc`/`__res1`, then the data at offset 8.
package enum KernelFrameCodec {
    /// Size of `struct can_frame`.
    package static let classicSize = 16
    /// Size of `struct canfd_frame`.
    package static let fdSize = 72

    static let extendedFlag: UInt32 = 0x8000_0000
    static let remoteFlag: UInt32 = 0x4000_0000
    static let errorFlag: UInt32 = 0x2000_0000
    static let extendedMask: UInt32 = 0x1FFF_FFFF
    static let standardMask: UInt32 = 0x0000_07FF
    /// Flags a sender may set in `canfd_frame.flags` (BRS, ESI); FDF is the kernel's own marker.
    static let sendableFDFlags: UInt8 = 0x03

    /// The kernel's `can_id` word for an identifier, with the extended-frame flag when 29-bit.
    package static func kernelID(_ id: CANIdentifier) -> UInt32 {
        id.isExtended ? id.value | extendedFlag : id.value
    }

    /// The number of bytes `frame` takes in the kernel's representation (16 or 72).
    package static func encodedSize(of frame: CANFrame) -> Int {
        frame.isFD ? fdSize : classicSize
    }

    /// Writes `frame` as a `can_frame` or `canfd_frame` into `buffer` (at least ``encodedSize(of:)`` bytes,
    /// zeroed by this function); returns the number of bytes written.
    package static func encode(_ frame: CANFrame, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let size = encodedSize(of: frame)
        precondition(buffer.count >= size, "buffer too small for a kernel CAN frame")
        for offset in 0..<size { buffer[offset] = 0 }
        var word: UInt32
        var length = UInt8(frame.data.count)
        switch frame.kind {
        case .classic:
            word = kernelID(frame.id)
        case .fd(let flags):
            word = kernelID(frame.id)
            buffer[5] = flags.rawValue & sendableFDFlags
        case .remote(let requestedLength):
            word = kernelID(frame.id) | remoteFlag
            // DLC 9-15 travels as len 8 with the raw DLC in len8_dlc (CAN_CTRLMODE_CC_LEN8_DLC).
            length = min(requestedLength, 8)
            if requestedLength > 8 { buffer[7] = requestedLength }
        case .error(let classes):
            word = errorFlag | (classes.rawValue & extendedMask)
        }
        withUnsafeBytes(of: word) { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 4) }
        buffer[4] = length
        for (index, byte) in frame.data.enumerated() { buffer[8 + index] = byte }
        return size
    }

    /// The frame as a byte array (for tests and for writing logs of what was sent).
    package static func encode(_ frame: CANFrame) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: fdSize) { buffer, count in
            count = encode(frame, into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// Reads a `can_frame` (16 bytes) or `canfd_frame` (72 bytes) as the kernel delivered it.
    ///
    /// - Throws: ``KernelFrameError`` on a size that is neither, or a length byte out of range.
    package static func decode(
        _ bytes: UnsafeRawBufferPointer, timestamp: Duration? = nil, interface: String? = nil
    ) throws(KernelFrameError) -> CANFrame {
        guard bytes.count == classicSize || bytes.count == fdSize else { throw .unexpectedSize(bytes.count) }
        var word: UInt32 = 0
        withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[0..<4])) }
        let length = Int(bytes[4])
        let isFD = bytes.count == fdSize
        let capacity = isFD ? 64 : 8
        guard length <= capacity, !isFD || CANPayload.isValidFDLength(length) else {
            throw .invalidLength(length, fd: isFD)
        }

        let kind: CANFrame.Kind
        let id: CANIdentifier
        if word & errorFlag != 0 {
            let classes = word & extendedMask
            kind = .error(CANErrorClass(rawValue: classes))
            id = CANIdentifier(classes, format: .extended)!
        } else {
            let isExtended = word & extendedFlag != 0
            let value = word & (isExtended ? extendedMask : standardMask)
            id = CANIdentifier(value, format: isExtended ? .extended : .standard)!
            if isFD {
                kind = .fd(CANFDFlags(rawValue: bytes[5]))
            } else if word & remoteFlag != 0 {
                let rawDLC = bytes[7]
                kind = .remote(requestedLength: length == 8 && rawDLC > 8 && rawDLC <= 15 ? rawDLC : UInt8(length))
            } else {
                kind = .classic
            }
        }
        var payload = CANPayload()
        if case .remote = kind {
        } else {
            for index in 0..<length { payload.append(bytes[8 + index]) }
        }
        return CANFrame(unchecked: id, kind: kind, data: payload, timestamp: timestamp, interface: interface)
    }

    /// Reads a frame from a byte array (tests).
    package static func decode(_ bytes: [UInt8]) throws(KernelFrameError) -> CANFrame {
        let result: Result<CANFrame, KernelFrameError> = bytes.withUnsafeBytes { raw in
            do throws(KernelFrameError) { return .success(try decode(raw)) } catch { return .failure(error) }
        }
        return try result.get()
    }
}

/// Why bytes from the kernel were not a CAN frame.
package enum KernelFrameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A read returned neither 16 nor 72 bytes.
    case unexpectedSize(Int)
    /// The length byte is above 8 (classic) or not a CAN FD length.
    case invalidLength(Int, fd: Bool)

    package var description: String {
        switch self {
        case .unexpectedSize(let size): "kernel returned \(size) bytes, not a CAN (16) or CAN FD (72) frame"
        case .invalidLength(let length, let fd): "kernel \(fd ? "CAN FD" : "CAN") frame with length \(length)"
        }
    }
}
