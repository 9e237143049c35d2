import DTC

/// KWP2000 0x10 startDiagnosticSession. Request `10 <session> [baud rate]`; response `50 [session...]`.
/// Toyota Techstream sends `10 5F` and a Lexus IS-F answered `50 01`.
public enum KWPStartDiagnosticSession {
    /// A diagnostic session (diagnosticMode). Open code space.
    public struct Session: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: UInt8
        /// Wraps a byte.
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// 0x81 standardDiagnosticSession (ISO 14230-3).
        public static let standard = Session(rawValue: 0x81)
        /// 0x85 ECUProgrammingSession.
        public static let programming = Session(rawValue: 0x85)
        /// 0x86 ECUDevelopmentSession.
        public static let development = Session(rawValue: 0x86)
        /// 0x87 ECUAdjustmentSession.
        public static let adjustment = Session(rawValue: 0x87)
        /// 0x5F: the session Toyota Techstream opens ("sometimes starting a diagnostic session is done with
        /// 0x5F", Miller & Valasek 2013); its exact meaning is not public.
        public static let toyotaDiagnostic = Session(rawValue: 0x5F)

        public var description: String {
            let names: [UInt8: String] = [0x81: "standardDiagnosticSession", 0x85: "ECUProgrammingSession",
                0x86: "ECUDevelopmentSession", 0x87: "ECUAdjustmentSession", 0x5F: "Toyota diagnostic session"]
            let hex = PayloadText.hex(rawValue)
            return names[rawValue].map { "\($0) (\(hex))" } ?? hex
        }
    }

    /// `10 <session> [baud rate]`.
    public struct Request: Hashable, Sendable {
        /// The session asked for.
        public var session: Session
        /// Further bytes (baud rate identifier).
        public var parameters: ArraySlice<UInt8>

        /// Builds a request.
        public init(_ session: Session, parameters: [UInt8] = []) {
            self.session = session
            self.parameters = parameters[...]
        }

        /// The request bytes.
        public var bytes: [UInt8] { [KWPServiceID.startDiagnosticSession.rawValue, session.rawValue] + parameters }

        init(from cursor: inout KWPCursor) throws(KWPError) {
            session = Session(rawValue: try cursor.byte("diagnostic session"))
            parameters = cursor.rest()
        }

        var fields: [(name: String, value: String)] {
            [("session", session.description)]
                + (parameters.isEmpty ? [] : [("parameters", PayloadText.spaced(parameters))])
        }
    }

    /// `50 [bytes]`: the session echoed (or, on Toyota, another byte), kept as bytes.
    public struct Response: Hashable, Sendable {
        /// The bytes after the identifier.
        public var data: ArraySlice<UInt8>

        /// Creates a response.
        public init(data: [UInt8]) { self.data = data[...] }

        init(from cursor: inout KWPCursor) { data = cursor.rest() }

        var fields: [(name: String, value: String)] {
            data.isEmpty ? [] : [("data", PayloadText.spaced(data))]
        }
    }
}

/// KWP2000 0x3E testerPresent. Request `3E [responseRequired]` (KWP ECUs may reject `3E 80` and need
/// `3E 01`/`3E 02`); response `7E [echo]`.
public enum KWPTesterPresent {
    /// `3E [bytes]`.
    public struct Request: Hashable, Sendable {
        /// The bytes after the identifier.
        public var parameters: ArraySlice<UInt8>

        /// Builds a request.
        public init(parameters: [UInt8] = []) { self.parameters = parameters[...] }

        /// The request bytes.
        public var bytes: [UInt8] { [KWPServiceID.testerPresent.rawValue] + parameters }

        init(from cursor: inout KWPCursor) { parameters = cursor.rest() }
    }

    /// `7E [bytes]`.
    public struct Response: Hashable, Sendable {
        /// The bytes after the identifier.
        public var data: ArraySlice<UInt8>

        init(from cursor: inout KWPCursor) { data = cursor.rest() }
    }
}
