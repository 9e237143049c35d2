import DTC

/// Service 0x22 ReadDataByIdentifier (ISO 14229-1:2020 §11.2). Request `22 <DID> [<DID>...]`; response
/// `62 <DID> <data> [<DID> <data>...]`.
///
/// The response carries no lengths: splitting several records needs each DID's length
/// (``UDSDecodingOptions/dataIdentifierLengths``). Records are decoded while lengths are known; the first DID
/// without a known length takes the rest of the message as its data (``DataRecord/isRemainderOfMessage``).
public enum ReadDataByIdentifier {
    /// `22 <DID>...`.
    public struct Request: Hashable, Sendable {
        /// The identifiers asked for, in order.
        public var identifiers: [DataIdentifier]

        /// Builds a request for one or more identifiers.
        public init(_ identifiers: [DataIdentifier]) { self.identifiers = identifiers }
        /// Builds a request for one identifier.
        public init(_ identifier: DataIdentifier) { self.identifiers = [identifier] }

        /// The request bytes.
        public var bytes: [UInt8] {
            var bytes = [UDSServiceID.readDataByIdentifier.rawValue]
            for identifier in identifiers { bytes.appendUInt16(identifier.rawValue) }
            return bytes
        }

        init(from cursor: inout UDSCursor) throws(UDSError) {
            guard !cursor.isAtEnd else { throw cursor.error(.truncated, "missing data identifier") }
            guard cursor.remainingCount % 2 == 0 else {
                throw cursor.error(.lengthMismatch, "data identifiers are 2 bytes each; \(cursor.remainingCount) bytes")
            }
            identifiers = []
            while !cursor.isAtEnd { identifiers.append(DataIdentifier(try cursor.uint16("data identifier"))) }
        }

        var fields: [(name: String, value: String)] {
            identifiers.map { ("data identifier", $0.description) }
        }
    }

    /// `62 <DID> <data>...`.
    public struct Response: Hashable, Sendable {
        /// The records, in order.
        public var records: [DataRecord]

        /// Creates a response.
        public init(_ records: [DataRecord]) { self.records = records }

        /// The response bytes.
        public var bytes: [UInt8] {
            var bytes = [UDSServiceID.readDataByIdentifier.positiveResponseByte]
            for record in records {
                bytes.appendUInt16(record.identifier.rawValue)
                bytes.append(contentsOf: record.data)
            }
            return bytes
        }

        init(from cursor: inout UDSCursor, options: UDSDecodingOptions) throws(UDSError) {
            records = []
            repeat {
                records.append(try DataRecord.read(from: &cursor, options: options))
            } while !cursor.isAtEnd
        }

        var fields: [(name: String, value: String)] {
            records.map { ($0.identifier.description, $0.displayValue) }
        }
    }
}
