public import DTC

/// Modes 0x03 (stored / confirmed), 0x07 (pending) and 0x0A (permanent) DTCs. Request: the mode byte alone;
/// response `43 <count> {<DTC hi lo>}` on CAN (ISO 15765-4).
///
/// The count byte exists only on CAN. The count-less legacy form (`43 {<DTC hi lo>}`, filled up with
/// `00 00`) is accepted when the length makes it unambiguous: after the mode byte an odd number of bytes
/// is the CAN form, an even number the legacy form. In the CAN form, a count that disagrees with the bytes is
/// a ``OBDError/Code-swift.struct/countMismatch`` error.
public struct OBDTroubleCodes: Hashable, Sendable {
    /// Which list: 0x03 stored, 0x07 pending, 0x0A permanent (the request mode).
    public var mode: UInt8
    /// The codes, in order (legacy `00 00` filler dropped).
    public var codes: [DTCCode]
    /// False for the legacy count-less form.
    public var hasCountByte: Bool

    /// Creates a response for `mode` (0x03, 0x07 or 0x0A).
    public init(mode: UInt8, codes: [DTCCode], hasCountByte: Bool = true) {
        self.mode = mode
        self.codes = codes
        self.hasCountByte = hasCountByte
    }

    /// The DTCs (two-byte codes, no status).
    public var dtcs: [DiagnosticTroubleCode] { codes.map { DiagnosticTroubleCode(code: $0) } }

    /// What the mode lists.
    public var listName: String {
        switch mode {
        case 0x03: "stored (confirmed) DTCs"
        case 0x07: "pending DTCs"
        case 0x0A: "permanent DTCs"
        default: "DTCs"
        }
    }

    /// The response bytes (CAN form unless ``hasCountByte`` is false).
    public var bytes: [UInt8] {
        var bytes = [mode &+ 0x40]
        if hasCountByte { bytes.append(UInt8(clamping: codes.count)) }
        for code in codes { bytes += [code.highByte, code.lowByte] }
        return bytes
    }

    init(mode: UInt8, from cursor: inout OBDCursor) throws(OBDError) {
        self.mode = mode
        codes = []
        if cursor.remainingCount % 2 == 1 {
            hasCountByte = true
            let countOffset = cursor.offset
            let count = Int(try cursor.byte("number of DTCs"))
            guard cursor.remainingCount == count * 2 else {
                throw cursor.error(.countMismatch,
                    "count says \(count) DTC(s), \(cursor.remainingCount) bytes follow", at: countOffset)
            }
        } else {
            hasCountByte = false
        }
        while !cursor.isAtEnd {
            let code = DTCCode(rawValue: try cursor.uint16("DTC"))
            // Legacy responses fill unused slots with 00 00 (P0000 is not a code).
            if hasCountByte || code.rawValue != 0 { codes.append(code) }
        }
    }

    var fields: [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = [("list", listName), ("number of DTCs", String(codes.count))]
        if !hasCountByte { fields.append(("form", "legacy (no count byte)")) }
        for (index, code) in codes.enumerated() { fields.append(("DTC \(index + 1)", code.description)) }
        return fields
    }
}
