import DTC

/// Service 0x27 SecurityAccess (ISO 14229-1:2020 §10.4): seed and key exchange. **Decoded, never sent**
/// (see ``UDSServiceID/vehicleChangingNotSent``), so there is no request builder.
///
/// Odd sub-functions request a seed (`27 01` → `67 01 <seed>`), even ones send the key (`27 02 <key>` →
/// `67 02`).
public enum SecurityAccess {
    /// `27 <level> [key or data]`.
    public struct Request: Hashable, Sendable {
        /// The access level (sub-function, bits 0-6): odd requests a seed, even sends a key.
        public var securityAccessType: UInt8
        /// Bit 7 of the sub-function.
        public var suppressPositiveResponse: Bool
        /// The key (even types) or the optional securityAccessDataRecord (odd types).
        public var data: ArraySlice<UInt8>

        /// True when this asks for a seed.
        public var isSeedRequest: Bool { securityAccessType & 1 == 1 }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let subFunction = try cursor.byte("security access type")
            securityAccessType = subFunction & 0x7F
            suppressPositiveResponse = subFunction & 0x80 != 0
            data = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("security access type", "\(PayloadText.hex(securityAccessType)) (\(isSeedRequest ? "requestSeed" : "sendKey"))"),
             (isSeedRequest ? "access data" : "key", PayloadText.spaced(data))] + suppressField(suppressPositiveResponse)
        }
    }

    /// `67 <level> [seed]`.
    public struct Response: Hashable, Sendable {
        /// The access level echoed.
        public var securityAccessType: UInt8
        /// The seed (after a seed request; all zero when already unlocked), empty after a key.
        public var seed: ArraySlice<UInt8>

        init(from cursor: inout UDSCursor) throws(UDSError) {
            securityAccessType = try cursor.byte("security access type")
            seed = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("security access type", PayloadText.hex(securityAccessType)), ("seed", PayloadText.spaced(seed))]
        }
    }
}
