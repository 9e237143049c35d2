// Package-internal helpers the protocol codecs (UDS, KWP, OBD) share: a cursor that consumes a payload
// front to back, checking length before every read, and hex text for field lists. Not public API.

/// An error a protocol module throws for a malformed payload; each module has one such type.
package protocol PayloadDecodingError: Error {
    /// The payload ends before the field named in `reason`.
    static func truncated(_ reason: String, offset: Int, payload: [UInt8]) -> Self
    /// Bytes are left over after the last field the layout allows.
    static func trailingBytes(_ reason: String, offset: Int, payload: [UInt8]) -> Self
}

/// Reads a payload front to back. Every read checks the length first and throws the module's error with
/// the offset of the field that did not fit; nothing traps on short input.
package struct ByteCursor<Failure: PayloadDecodingError>: Sendable {
    /// The whole message, kept so errors can carry it.
    package let payload: [UInt8]
    /// The index of the next byte to read.
    package private(set) var offset: Int

    package init(_ payload: [UInt8], offset: Int = 0) {
        self.payload = payload
        self.offset = min(max(offset, 0), payload.count)
    }

    /// Bytes not read yet.
    package var remainingCount: Int { payload.count - offset }
    package var isAtEnd: Bool { offset >= payload.count }
    /// The next byte without consuming it, or nil at the end.
    package var peek: UInt8? { isAtEnd ? nil : payload[offset] }

    package mutating func byte(_ field: String) throws(Failure) -> UInt8 {
        guard offset < payload.count else {
            throw Failure.truncated("missing \(field)", offset: offset, payload: payload)
        }
        defer { offset += 1 }
        return payload[offset]
    }

    package mutating func uint16(_ field: String) throws(Failure) -> UInt16 {
        let bytes = try self.bytes(2, field)
        return UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1])
    }

    package mutating func uint24(_ field: String) throws(Failure) -> UInt32 {
        let bytes = try self.bytes(3, field)
        return bytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
    }

    package mutating func bytes(_ count: Int, _ field: String) throws(Failure) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remainingCount else {
            throw Failure.truncated(
                "\(field) needs \(count) bytes, \(remainingCount) left", offset: offset, payload: payload)
        }
        defer { offset += count }
        return payload[offset..<(offset + count)]
    }

    /// Everything not read yet (possibly empty).
    package mutating func rest() -> ArraySlice<UInt8> {
        defer { offset = payload.count }
        return payload[offset...]
    }

    /// Throws when bytes remain after the last field of `what`.
    /// `what` names the message in the error, and is only made when there is one.
    package func finish(_ what: @autoclosure () -> String) throws(Failure) {
        guard isAtEnd else {
            throw Failure.trailingBytes(
                "\(remainingCount) byte(s) after the end of \(what())", offset: offset, payload: payload)
        }
    }
}

/// Hex and text formatting for the codecs' field lists.
package enum PayloadText {
    static let digits: [Character] = Array("0123456789ABCDEF")

    /// `0x1A` style: two upper-case digits after `0x`.
    package static func hex(_ byte: UInt8) -> String { "0x" + pair(byte) }

    /// `0xF190` style, with `width` digits.
    package static func hex<Value: FixedWidthInteger>(_ value: Value, width: Int) -> String {
        var text = String(value, radix: 16, uppercase: true)
        if text.count < width { text = String(repeating: "0", count: width - text.count) + text }
        return "0x" + text
    }

    /// Two upper-case hex digits.
    package static func pair(_ byte: UInt8) -> String {
        String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }

    /// `59 02 FF` style; "(none)" for no bytes.
    package static func spaced<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        bytes.isEmpty ? "(none)" : bytes.map(pair).joined(separator: " ")
    }

    /// The bytes as text when every byte is printable ASCII, ignoring trailing 0x00, 0xFF and space padding;
    /// nil otherwise (or when nothing is left after the padding).
    package static func printableASCII<Bytes: BidirectionalCollection<UInt8>>(_ bytes: Bytes) -> String? {
        var end = bytes.endIndex
        while end > bytes.startIndex {
            let last = bytes[bytes.index(before: end)]
            guard last == 0x00 || last == 0xFF || last == 0x20 else { break }
            end = bytes.index(before: end)
        }
        let body = bytes[bytes.startIndex..<end]
        guard !body.isEmpty, body.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    /// `printableASCII(_:)` for a slice, through its buffer (the generic form is not specialised across modules).
    package static func printableASCII(_ bytes: ArraySlice<UInt8>) -> String? {
        bytes.withUnsafeBufferPointer { buffer in
            var end = buffer.count
            while end > 0, buffer[end - 1] == 0x00 || buffer[end - 1] == 0xFF || buffer[end - 1] == 0x20 { end -= 1 }
            let body = UnsafeBufferPointer(rebasing: buffer[0..<end])
            guard !body.isEmpty, !body.contains(where: { $0 < 0x20 || $0 > 0x7E }) else { return nil }
            return String(decoding: body, as: UTF8.self)
        }
    }

    /// A decimal with at most `decimals` fraction digits, trailing zeros trimmed ("50", "12.5", "-40").
    package static func decimal(_ value: Double, decimals: Int = 2) -> String {
        guard value.isFinite else { return "\(value)" }
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 1e15 else { return "\(value)" }
        let units = Int64(scaled)
        let whole = units / Int64(scale)
        var fraction = String(units % Int64(scale))
        while fraction.count < decimals { fraction = "0" + fraction }
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = value < 0 && units != 0 ? "-" : ""
        return sign + String(whole) + (fraction.isEmpty ? "" : "." + fraction)
    }

    /// A DTC with status for field lists: `B15C4-00 status 0x09 (current, confirmed)`.
    package static func describe(_ dtc: DiagnosticTroubleCode) -> String {
        var text = dtc.hyphenatedText
        if let failureType = dtc.failureType, let name = failureType.name { text += " [\(name)]" }
        if let status = dtc.status { text += " status \(hex(status.rawValue)) (\(status.summary))" }
        return text
    }
}
