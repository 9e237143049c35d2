/// The data bytes of one CAN or CAN FD frame (0-64 bytes), stored inline so that frames never allocate.
public struct CANPayload: Sendable, RandomAccessCollection, MutableCollection {
    /// The largest payload a frame can carry (CAN FD).
    public static let capacity = 64

    @usableFromInline var storage: InlineArray<64, UInt8>
    @usableFromInline var length: UInt8

    /// An empty payload.
    @inlinable
    public init() {
        storage = InlineArray(repeating: 0)
        length = 0
    }

    /// A payload holding `bytes`, or nil when there are more than 64.
    @inlinable
    public init?<Bytes: Collection<UInt8>>(_ bytes: Bytes) {
        guard bytes.count <= Self.capacity else { return nil }
        self.init()
        for byte in bytes {
            storage[Int(length)] = byte
            length &+= 1
        }
    }

    /// A payload of `count` copies of `byte`; `count` must be at most 64.
    @inlinable
    public init(repeating byte: UInt8, count: Int) {
        precondition(count >= 0 && count <= Self.capacity, "CANPayload holds at most 64 bytes")
        storage = InlineArray(repeating: byte)
        length = UInt8(count)
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { Int(length) }

    @inlinable
    public subscript(position: Int) -> UInt8 {
        get {
            precondition(position >= 0 && position < Int(length), "CANPayload index out of range")
            return storage[position]
        }
        set {
            precondition(position >= 0 && position < Int(length), "CANPayload index out of range")
            storage[position] = newValue
        }
    }

    /// Appends a byte; returns false (and changes nothing) when the payload is already 64 bytes long.
    @inlinable
    @discardableResult
    public mutating func append(_ byte: UInt8) -> Bool {
        guard length < Self.capacity else { return false }
        storage[Int(length)] = byte
        length &+= 1
        return true
    }

    /// Shortens the payload to `count` bytes (no effect when it is already that short).
    @inlinable
    public mutating func truncate(to count: Int) {
        if count < Int(length) { length = UInt8(Swift.max(0, count)) }
    }

    /// The bytes as an array.
    public var bytes: [UInt8] { Array(self) }

    /// Whether `count` is a data length a CAN FD frame can have (ISO 11898-1 DLC table).
    @inlinable
    public static func isValidFDLength(_ count: Int) -> Bool {
        switch count {
        case 0...8, 12, 16, 20, 24, 32, 48, 64: return true
        default: return false
        }
    }

    /// The smallest valid CAN FD length that holds `count` bytes (what a sender pads up to); nil above 64.
    @inlinable
    public static func fdLength(holding count: Int) -> Int? {
        switch count {
        case ...8: return Swift.max(0, count)
        case 9...12: return 12
        case 13...16: return 16
        case 17...20: return 20
        case 21...24: return 24
        case 25...32: return 32
        case 33...48: return 48
        case 49...64: return 64
        default: return nil
        }
    }
}

extension CANPayload: Hashable {
    @inlinable
    public static func == (lhs: CANPayload, rhs: CANPayload) -> Bool {
        lhs.elementsEqual(rhs)
    }

    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(length)
        for byte in self { hasher.combine(byte) }
    }
}

extension CANPayload: ExpressibleByArrayLiteral {
    /// A payload from a literal; traps above 64 bytes (literals are written by programmers).
    public init(arrayLiteral elements: UInt8...) {
        guard let payload = CANPayload(elements) else { preconditionFailure("CANPayload holds at most 64 bytes") }
        self = payload
    }
}

extension CANPayload: CustomStringConvertible {
    /// The bytes as upper-case hex pairs separated by spaces ("06 59 02").
    public var description: String { Hex.spaced(self) }
}
