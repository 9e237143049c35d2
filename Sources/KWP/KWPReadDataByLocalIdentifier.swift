import DTC

/// KWP2000 0x21 readDataByLocalIdentifier (Toyota "mode 21" live data). Request `21 <local id>`; response
/// `61 <local id> <data>`, the data kept as bytes (its layout is ECU-specific).
public enum KWPReadDataByLocalIdentifier {
    /// `21 <local id> [more]`.
    public struct Request: Hashable, Sendable {
        /// recordLocalIdentifier.
        public var localIdentifier: UInt8
        /// Any further bytes.
        public var parameters: ArraySlice<UInt8>

        /// Builds a request.
        public init(localIdentifier: UInt8, parameters: [UInt8] = []) {
            self.localIdentifier = localIdentifier
            self.parameters = parameters[...]
        }

        /// The request bytes.
        public var bytes: [UInt8] { [KWPServiceID.readDataByLocalIdentifier.rawValue, localIdentifier] + parameters }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            localIdentifier = try cursor.byte("local identifier")
            parameters = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("local identifier", PayloadText.hex(localIdentifier))]
                + (parameters.isEmpty ? [] : [("parameters", PayloadText.spaced(parameters))])
        }
    }

    /// `61 <local id> <data>`.
    public struct Response: Hashable, Sendable {
        /// recordLocalIdentifier echoed.
        public var localIdentifier: UInt8
        /// The record.
        public var data: ArraySlice<UInt8>

        /// Creates a response.
        public init(localIdentifier: UInt8, data: [UInt8]) {
            self.localIdentifier = localIdentifier
            self.data = data[...]
        }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            localIdentifier = try cursor.byte("local identifier")
            data = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            let text = PayloadText.printableASCII(data).map { " \"\($0)\"" } ?? ""
            return [("local identifier", PayloadText.hex(localIdentifier)), ("data", PayloadText.spaced(data) + text)]
        }
    }
}
