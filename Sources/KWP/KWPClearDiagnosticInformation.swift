import DTC

/// KWP2000 0x14 clearDiagnosticInformation. Request `14 [<group hi lo>]` (0xFF00: all groups); response
/// `54 [<group hi lo>]`.
public enum KWPClearDiagnosticInformation {
    /// `14 <group>`; some ECUs accept the bare `14`.
    public struct Request: Hashable, Sendable {
        /// groupOfDTC, or nil for the bare form.
        public var groupOfDTC: UInt16?

        /// Builds a request; the default clears all groups.
        public init(groupOfDTC: UInt16? = 0xFF00) { self.groupOfDTC = groupOfDTC }

        /// The request bytes.
        public var bytes: [UInt8] {
            [KWPServiceID.clearDiagnosticInformation.rawValue]
                + (groupOfDTC.map { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } ?? [])
        }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            if !cursor.isAtEnd { groupOfDTC = try cursor.uint16("groupOfDTC") }
        }

        var fields: [(name: String, value: String)] {
            groupOfDTC.map { [("group of DTC", PayloadText.hex($0, width: 4))] } ?? []
        }
    }

    /// `54 [<group>]`.
    public struct Response: Hashable, Sendable {
        /// The group echoed, if any.
        public var groupOfDTC: UInt16?

        /// Creates a response.
        public init(groupOfDTC: UInt16? = 0xFF00) { self.groupOfDTC = groupOfDTC }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            if !cursor.isAtEnd { groupOfDTC = try cursor.uint16("groupOfDTC") }
        }

        var fields: [(name: String, value: String)] {
            groupOfDTC.map { [("group of DTC", PayloadText.hex($0, width: 4))] } ?? []
        }
    }
}
