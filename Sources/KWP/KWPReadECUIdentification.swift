import DTC

/// KWP2000 0x1A readEcuIdentification. Request `1A <option>`; response `5A <option> <data>`. Toyota asks
/// option 0x88 (`1A 88 01` → `5A 88 01 ...`), 0x80 or 0x81 and gets ASCII identifiers; `1A 88 00` lists the
/// supported sub-records.
public enum KWPReadECUIdentification {
    /// `1A <option> [more]`.
    public struct Request: Hashable, Sendable {
        /// identificationOption.
        public var option: UInt8
        /// Further bytes (Toyota: a record index after 0x88).
        public var parameters: ArraySlice<UInt8>

        /// Builds a request.
        public init(option: UInt8, parameters: [UInt8] = []) {
            self.option = option
            self.parameters = parameters[...]
        }

        /// The request bytes.
        public var bytes: [UInt8] { [KWPServiceID.readECUIdentification.rawValue, option] + parameters }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            option = try cursor.byte("identification option")
            parameters = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("option", PayloadText.hex(option))]
                + (parameters.isEmpty ? [] : [("parameters", PayloadText.spaced(parameters))])
        }
    }

    /// `5A <option> <data>`.
    public struct Response: Hashable, Sendable {
        /// identificationOption echoed.
        public var option: UInt8
        /// The identification record.
        public var data: ArraySlice<UInt8>

        /// Creates a response.
        public init(option: UInt8, data: [UInt8]) {
            self.option = option
            self.data = data[...]
        }

        /// The data as text when it is printable ASCII (padding dropped), else nil.
        public var text: String? { PayloadText.printableASCII(data) }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            option = try cursor.byte("identification option")
            data = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("option", PayloadText.hex(option)), ("data", text.map { "\"\($0)\"" } ?? PayloadText.spaced(data))]
        }
    }
}
