public import DTC

/// KWP2000 0x12 readFreezeFrameData. Request `12 <frame number> [record access...]`; response
/// `52 <frame number> <DTC hi lo> <data...>`, the data kept as bytes (its layout is ECU-specific).
///
/// Lexus IS-F (Techstream): `12 00 01 02` → `52 00 03 35 01 02`, frame 0 of P0335.
public enum KWPReadFreezeFrameData {
    /// `12 <frame> [parameters]`.
    public struct Request: Hashable, Sendable {
        /// The freeze frame number.
        public var frameNumber: UInt8
        /// The record access bytes after it (ECU-specific).
        public var parameters: ArraySlice<UInt8>

        /// Builds a request.
        public init(frameNumber: UInt8, parameters: [UInt8] = []) {
            self.frameNumber = frameNumber
            self.parameters = parameters[...]
        }

        /// The request bytes.
        public var bytes: [UInt8] { [KWPServiceID.readFreezeFrameData.rawValue, frameNumber] + parameters }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            frameNumber = try cursor.byte("freeze frame number")
            parameters = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("frame number", PayloadText.hex(frameNumber))]
                + (parameters.isEmpty ? [] : [("parameters", PayloadText.spaced(parameters))])
        }
    }

    /// `52 <frame> <DTC hi lo> <data>`.
    public struct Response: Hashable, Sendable {
        /// The freeze frame number.
        public var frameNumber: UInt8
        /// The DTC that stored the frame.
        public var code: DTCCode
        /// The frame's data, as bytes.
        public var data: ArraySlice<UInt8>

        /// Creates a response.
        public init(frameNumber: UInt8, code: DTCCode, data: [UInt8]) {
            self.frameNumber = frameNumber
            self.code = code
            self.data = data[...]
        }

        /// The response bytes.
        public var bytes: [UInt8] {
            [KWPServiceID.readFreezeFrameData.positiveResponseByte, frameNumber, code.highByte, code.lowByte] + data
        }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            frameNumber = try cursor.byte("freeze frame number")
            code = DTCCode(rawValue: try cursor.uint16("DTC"))
            data = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("frame number", PayloadText.hex(frameNumber)), ("DTC", code.description),
             ("data", PayloadText.spaced(data))]
        }
    }
}
