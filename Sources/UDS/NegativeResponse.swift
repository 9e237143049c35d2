import DTC

/// A negative response, `7F <request SID> <NRC>`: the server's answer that it will not (yet) do what was
/// asked. A value, not an error; 0x78 means the real answer is still coming.
public struct NegativeResponse: Hashable, Sendable {
    /// The service the server refuses.
    public var requestServiceID: UDSServiceID
    /// Why.
    public var code: NegativeResponseCode

    /// Creates a negative response.
    public init(requestServiceID: UDSServiceID, code: NegativeResponseCode) {
        self.requestServiceID = requestServiceID
        self.code = code
    }

    /// The three bytes.
    public var bytes: [UInt8] { [UDSServiceID.negativeResponse, requestServiceID.rawValue, code.rawValue] }

    init(from cursor: inout UDSCursor) throws(UDSError) {
        requestServiceID = UDSServiceID(try cursor.byte("rejected service identifier"))
        code = NegativeResponseCode(try cursor.byte("negative response code"))
    }

    var fields: [(name: String, value: String)] {
        [("rejected service", requestServiceID.description), ("response code", code.description)]
    }
}
