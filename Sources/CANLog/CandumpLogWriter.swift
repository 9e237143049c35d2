public import CANCore

/// Writes frames in the candump log format (`candump -L`, what `canplayer` reads and ``CandumpLogParser``
/// parses): `(1700000000.123456) can0 7E8#0659028000C400`.
///
/// Layout as can-utils' `sprint_canframe`: three upper-case hex digits for an 11-bit id, eight for a 29-bit
/// id; error frames as eight digits with `CAN_ERR_FLAG` (0x20000000) added to the class bits; remote frames as
/// `#R` or `#R<length>`; CAN FD frames as `##<flags nibble><data>`. Timestamps are written with microsecond
/// precision (what candump writes; finer digits are dropped) and as 0 when the frame has none.
public struct CandumpLogWriter: Sendable {
    /// The interface written for frames that carry none.
    public var defaultInterface: String

    /// Creates a writer.
    public init(defaultInterface: String = "can0") {
        self.defaultInterface = defaultInterface
    }

    /// The frame as one line, without the newline.
    public func line(for frame: CANFrame) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(40 + 2 * frame.data.count)
        append(frame, to: &bytes)
        bytes.removeLast()
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the frame as one line, newline included, to `output`.
    public func append(_ frame: CANFrame, to output: inout [UInt8]) {
        let digits = Self.digits
        var seconds: Int64 = 0
        var microseconds: Int64 = 0
        if let timestamp = frame.timestamp, timestamp > .zero {
            // The candump parsers read at most 18 digits of seconds (over 31 billion years): a later time, which
            // only a corrupt pcapng block gives, is written as the latest time they read.
            let (whole, attoseconds) = min(timestamp, Self.latestTimestamp).components
            seconds = whole
            microseconds = attoseconds / 1_000_000_000_000
        }
        output.append(0x28)
        Self.appendDecimal(seconds, minimumDigits: 10, to: &output)
        output.append(0x2E)
        Self.appendDecimal(microseconds, minimumDigits: 6, to: &output)
        output.append(0x29)
        output.append(0x20)
        Self.appendInterfaceName(frame.interface ?? defaultInterface, to: &output)
        output.append(0x20)

        func appendHex(_ value: UInt32, count: Int) {
            var shift = (count - 1) * 4
            while shift >= 0 {
                output.append(digits[Int(value >> UInt32(shift) & 0xF)])
                shift -= 4
            }
        }
        switch frame.kind {
        case .error(let errorClass):
            appendHex(0x2000_0000 | errorClass.rawValue & 0x1FFF_FFFF, count: 8)
        default:
            appendHex(frame.id.value, count: frame.id.isExtended ? 8 : 3)
        }
        output.append(0x23)
        switch frame.kind {
        case .remote(let requestedLength):
            output.append(0x52)
            if requestedLength > 0 && requestedLength <= 8 {
                output.append(digits[Int(requestedLength)])
            } else if requestedLength > 8 {
                // A raw DLC 9-15: can-utils writes it as `R8_<dlc>`.
                output.append(digits[8])
                output.append(0x5F)
                output.append(digits[Int(requestedLength)])
            }
        case .fd(let flags):
            output.append(0x23)
            output.append(digits[Int(flags.rawValue & 0xF)])
            fallthrough
        case .classic, .error:
            for byte in frame.data {
                output.append(digits[Int(byte >> 4)])
                output.append(digits[Int(byte & 0xF)])
            }
        }
        output.append(0x0A)
    }

    private static let digits: [UInt8] = Array("0123456789ABCDEF".utf8)
    private static let latestTimestamp = Duration.seconds(999_999_999_999_999_999)

    /// Writes `name` as a token the candump parsers read back: at most 15 bytes (IFNAMSIZ less the NUL), each
    /// byte outside printable ASCII (a blank, a control character, part of a UTF-8 sequence) as `_`. Names from
    /// pcapng blocks or mangled logs may hold anything; written as they are, the line would not read back.
    private static func appendInterfaceName(_ name: String, to output: inout [UInt8]) {
        let bytes = name.utf8.prefix(15)
        guard !bytes.isEmpty else {
            output.append(0x5F)
            return
        }
        for byte in bytes { output.append((0x21...0x7E).contains(byte) ? byte : 0x5F) }
    }

    private static func appendDecimal(_ value: Int64, minimumDigits: Int, to output: inout [UInt8]) {
        var scratch: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                      UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var remaining = value
        withUnsafeMutableBytes(of: &scratch) { digits in
            repeat {
                digits[count] = UInt8(0x30 + remaining % 10)
                remaining /= 10
                count += 1
            } while remaining > 0 && count < 20
            while count < minimumDigits {
                digits[count] = 0x30
                count += 1
            }
            for index in stride(from: count - 1, through: 0, by: -1) { output.append(digits[index]) }
        }
    }
}
