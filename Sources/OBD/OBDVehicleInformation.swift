import DTC

/// Mode 0x09, request vehicle information. Request `09 <info type>`; response `49 <info type> [<count>]
/// <items>`. On CAN every info type except the support bitmaps carries an item count: VIN (0x02) is one
/// 17-byte item, calibration IDs (0x04) 16-byte items, CVNs (0x06) 4-byte items, ECU name (0x0A) one
/// 20-byte item.
public enum OBDVehicleInformation {
    /// Info type names (SAE J1979 Table G1, common entries).
    static func name(of infoType: UInt8) -> String? {
        if infoType % 0x20 == 0 {
            return "info types supported [\(PayloadText.pair(infoType &+ 1))-\(PayloadText.pair(infoType &+ 0x20))]"
        }
        let names: [UInt8: String] = [0x01: "VIN message count", 0x02: "VIN", 0x03: "calibration ID message count",
            0x04: "calibration ID", 0x05: "CVN message count", 0x06: "calibration verification number",
            0x08: "in-use performance tracking (spark)", 0x0A: "ECU name", 0x0B: "in-use performance tracking (compression)",
            0x0D: "engine serial number", 0x0F: "exhaust regulation or type approval number"]
        return names[infoType]
    }

    /// The item size of an info type, or nil when unknown.
    static func itemLength(of infoType: UInt8) -> Int? {
        switch infoType {
        case 0x02: 17
        case 0x04: 16
        case 0x06: 4
        case 0x0A: 20
        default: nil
        }
    }

    static func describe(_ infoType: UInt8) -> String {
        let hex = PayloadText.hex(infoType)
        return name(of: infoType).map { "\($0) (\(hex))" } ?? hex
    }

    /// `09 <info type>`.
    public struct Request: Hashable, Sendable {
        /// The info type.
        public var infoType: UInt8

        /// Builds a request (0x02 VIN, 0x04 calibration IDs, 0x0A ECU name, 0x00 supported types).
        public init(infoType: UInt8) { self.infoType = infoType }

        /// The request bytes.
        public var bytes: [UInt8] { [0x09, infoType] }

        init(from cursor: inout OBDCursor) throws(OBDError) { infoType = try cursor.byte("info type") }

        var fields: [(name: String, value: String)] { [("info type", OBDVehicleInformation.describe(infoType))] }
    }

    /// `49 <info type> [<count>] <items>`.
    public struct Response: Hashable, Sendable {
        /// The info type echoed.
        public var infoType: UInt8
        /// The count byte, nil for support bitmaps.
        public var itemCount: UInt8?
        /// The items, split by the known item length (one item with all bytes when the length is unknown).
        public var items: [ArraySlice<UInt8>]

        /// Creates a response with a count byte for everything but bitmaps.
        public init(infoType: UInt8, items: [[UInt8]]) {
            self.infoType = infoType
            self.items = items.map { $0[...] }
            itemCount = infoType % 0x20 == 0 ? nil : UInt8(clamping: items.count)
        }

        /// The items as text where they are printable ASCII (VIN, calibration IDs, ECU name).
        public var texts: [String?] { items.map { PayloadText.printableASCII($0) } }

        /// For a support bitmap, the info types marked supported.
        public var supportedInfoTypes: [UInt8]? {
            guard infoType % 0x20 == 0, let bitmap = items.first, bitmap.count == 4 else { return nil }
            return OBDValue.supportedPIDs(base: infoType, bitmap: bitmap).map(\.rawValue)
        }

        /// The response bytes.
        public var bytes: [UInt8] {
            var bytes: [UInt8] = [0x49, infoType]
            if let itemCount { bytes.append(itemCount) }
            for item in items { bytes += item }
            return bytes
        }

        init(from cursor: inout OBDCursor) throws(OBDError) {
            infoType = try cursor.byte("info type")
            items = []
            if infoType % 0x20 == 0 {
                items = [try cursor.bytes(4, "support bitmap")]
                return
            }
            let countOffset = cursor.offset
            let count = try cursor.byte("number of data items")
            itemCount = count
            guard let length = OBDVehicleInformation.itemLength(of: infoType) else {
                items = [cursor.rest()]
                return
            }
            guard cursor.remainingCount == Int(count) * length else {
                throw cursor.error(.countMismatch,
                    "count says \(count) item(s) of \(length) bytes, \(cursor.remainingCount) bytes follow",
                    at: countOffset)
            }
            for _ in 0..<count { items.append(try cursor.bytes(length, "data item")) }
        }

        var fields: [(name: String, value: String)] {
            var fields: [(name: String, value: String)] = [("info type", OBDVehicleInformation.describe(infoType))]
            if let supported = supportedInfoTypes {
                fields.append(("supported", supported.isEmpty ? "none" : supported.map(PayloadText.pair).joined(separator: " ")))
                return fields
            }
            if let itemCount { fields.append(("number of items", String(itemCount))) }
            for (index, item) in items.enumerated() {
                let value = PayloadText.printableASCII(item).map { "\"\($0)\"" } ?? PayloadText.spaced(item)
                fields.append(("item \(index + 1)", value))
            }
            return fields
        }
    }
}
