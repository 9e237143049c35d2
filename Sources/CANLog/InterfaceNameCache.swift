/// Remembers the last few interface names a parser made, so that a log with one or two interfaces makes
/// each `String` once instead of decoding the same bytes on every line.
struct InterfaceNameCache {
    /// The longest name SocketCAN allows (IFNAMSIZ 16, less the terminating NUL).
    static let maximumLength = 15

    private var entries: [(bytes: [UInt8], name: String)] = []
    private var nextVictim = 0
    private static let capacity = 8

    /// The name for `bytes`, made once and reused.
    mutating func name(for bytes: UnsafeRawBufferPointer) -> String {
        for entry in entries where entry.bytes.count == bytes.count {
            if entry.bytes.withUnsafeBytes({ $0.elementsEqual(bytes) }) { return entry.name }
        }
        let name = String(decoding: bytes, as: UTF8.self)
        if entries.count < Self.capacity {
            entries.append((Array(bytes), name))
        } else {
            entries[nextVictim] = (Array(bytes), name)
            nextVictim = (nextVictim + 1) % Self.capacity
        }
        return name
    }
}
