import DTC

/// Service 0x2E WriteDataByIdentifier (ISO 14229-1:2020 §11.7). **Decoded, never sent** (see
/// ``UDSServiceID/vehicleChangingNotSent``). Request `2E <DID> <data>`; response `6E <DID>`.
public enum WriteDataByIdentifier {
    /// `2E <DID> <data>`: the data runs to the end of the message.
    public struct Request: Hashable, Sendable {
        /// The identifier and the data written.
        public var record: DataRecord

        init(from cursor: inout UDSCursor) throws(UDSError) {
            let identifier = DataIdentifier(try cursor.uint16("data identifier"))
            record = DataRecord(identifier: identifier, data: cursor.rest())
        }

        var fields: [(name: String, value: String)] {
            [("data identifier", record.identifier.description), ("data", record.displayValue)]
        }
    }

    /// `6E <DID>`.
    public struct Response: Hashable, Sendable {
        /// The identifier written.
        public var identifier: DataIdentifier

        init(from cursor: inout UDSCursor) throws(UDSError) {
            identifier = DataIdentifier(try cursor.uint16("data identifier"))
        }

        var fields: [(name: String, value: String)] { [("data identifier", identifier.description)] }
    }
}
