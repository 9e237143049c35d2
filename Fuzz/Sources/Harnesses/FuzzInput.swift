/// Fuzzer bytes read as a stream of choices: each read consumes from the front and never fails (an
/// exhausted input reads as zeros), so every byte string is a valid test case and small mutations make small
/// changes in the case.
struct FuzzInput {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isExhausted: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func bool() -> Bool { byte() & 1 == 1 }

    /// A value in `0..<count` (`count` at most 256).
    mutating func choice(_ count: Int) -> Int { Int(byte()) % count }

    mutating func uint16() -> UInt16 { UInt16(byte()) << 8 | UInt16(byte()) }

    mutating func uint32() -> UInt32 { UInt32(uint16()) << 16 | UInt32(uint16()) }

    /// Up to `count` bytes; fewer when the input runs out.
    mutating func bytes(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, position + count)
        defer { position = max(position, end) }
        return position < end ? Array(bytes[position..<end]) : []
    }

    /// Everything not consumed yet.
    mutating func rest() -> [UInt8] { bytes(max(0, bytes.count - position)) }
}

/// What a harness found wrong with one input; empty when every invariant held. The fuzzer entry points trap on
/// a finding, the replay tests report it.
package typealias Findings = [String]
