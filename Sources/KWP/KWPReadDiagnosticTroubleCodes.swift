public import DTC

/// KWP2000 0x13 readDiagnosticTroubleCodes. Request `13 [parameters]`; response `53 <count> {<DTC hi lo>}`,
/// two-byte SAE J2012 codes without status.
///
/// Toyota sends a parameter byte (`13 B0`, `13 80`; meaning not public) and, for example on a Lexus IS-F,
/// gets `53 01 03 35`: one DTC, P0335.
public enum KWPReadDiagnosticTroubleCodes {
    /// `13 [parameters]`.
    public struct Request: Hashable, Sendable {
        /// The bytes after the service identifier (Toyota: one byte such as 0xB0 or 0x80).
        public var parameters: ArraySlice<UInt8>

        /// Builds a request.
        public init(parameters: [UInt8] = []) { self.parameters = parameters[...] }

        /// The request bytes.
        public var bytes: [UInt8] { [KWPServiceID.readDiagnosticTroubleCodes.rawValue] + parameters }

        init(from cursor: inout KWPCursor) { parameters = cursor.rest() }

        var fields: [(name: String, value: String)] {
            parameters.isEmpty ? [] : [("parameters", PayloadText.spaced(parameters))]
        }
    }

    /// `53 <count> {<DTC hi lo>}`.
    public struct Response: Hashable, Sendable {
        /// The codes, in order.
        public var codes: [DTCCode]

        /// Creates a response.
        public init(_ codes: [DTCCode]) { self.codes = codes }

        /// The DTCs (no failure type, no status).
        public var dtcs: [DiagnosticTroubleCode] { codes.map { DiagnosticTroubleCode(code: $0) } }

        /// The response bytes; the count byte saturates at 255.
        public var bytes: [UInt8] {
            var bytes = [KWPServiceID.readDiagnosticTroubleCodes.positiveResponseByte, UInt8(clamping: codes.count)]
            for code in codes { bytes += [code.highByte, code.lowByte] }
            return bytes
        }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            let count = try cursor.countedRecords(size: 2, "DTC")
            codes = []
            codes.reserveCapacity(count)
            for _ in 0..<count { codes.append(DTCCode(rawValue: try cursor.uint16("DTC"))) }
        }

        var fields: [(name: String, value: String)] {
            [("number of DTCs", String(codes.count))]
                + codes.enumerated().map { ("DTC \($0.offset + 1)", $0.element.description) }
        }
    }
}
