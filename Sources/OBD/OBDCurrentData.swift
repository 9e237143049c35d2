public import DTC

/// One PID with its data bytes, as mode 0x01 and 0x02 responses carry them.
public struct OBDDataRecord: Hashable, Sendable {
    /// The PID.
    public var pid: OBDParameterID
    /// The freeze frame number (mode 0x02 only).
    public var frameNumber: UInt8?
    /// The data bytes.
    public var data: ArraySlice<UInt8>
    /// True when the PID's length is unknown, so ``data`` runs to the end of the message.
    public var isRemainderOfMessage: Bool

    /// Creates a record.
    public init(pid: OBDParameterID, frameNumber: UInt8? = nil, data: [UInt8], isRemainderOfMessage: Bool = false) {
        self.pid = pid
        self.frameNumber = frameNumber
        self.data = data[...]
        self.isRemainderOfMessage = isRemainderOfMessage
    }

    /// The decoded value (SAE J1979 formulas).
    public var value: OBDValue { isRemainderOfMessage ? .bytes(data) : OBDValue(pid: pid, data: data) }

    /// Reads the data of `pid`: its known length, else the rest of the message.
    static func read(pid: OBDParameterID, frameNumber: UInt8?, from cursor: inout OBDCursor) throws(OBDError)
        -> OBDDataRecord
    {
        var record = OBDDataRecord(pid: pid, frameNumber: frameNumber, data: [])
        if let length = pid.dataLength {
            record.data = try cursor.bytes(length, "data of PID \(PayloadText.hex(pid.rawValue))")
        } else {
            record.data = cursor.rest()
            record.isRemainderOfMessage = true
        }
        return record
    }

    var field: (name: String, value: String) {
        var value = self.value.description
        if isRemainderOfMessage { value += " (length unknown: rest of message)" }
        let frame = frameNumber.map { " frame \($0)" } ?? ""
        return (pid.description + frame, value)
    }
}

/// Mode 0x01, show current data. Request `01 <PID> [<PID>...]` (up to six on CAN); response
/// `41 <PID> <data> [<PID> <data>...]`. Several PIDs in one response are split with the known PID lengths;
/// the first unknown PID takes the rest of the message.
public enum OBDCurrentData {
    /// `01 <PID>...`.
    public struct Request: Hashable, Sendable {
        /// The PIDs asked for.
        public var pids: [OBDParameterID]

        /// Builds a request.
        public init(_ pids: [OBDParameterID]) { self.pids = pids }

        /// The request bytes.
        public var bytes: [UInt8] { [0x01] + pids.map(\.rawValue) }

        init(from cursor: inout OBDCursor) throws(OBDError) {
            guard !cursor.isAtEnd else { throw cursor.error(.truncated, "missing PID") }
            pids = cursor.rest().map(OBDParameterID.init(rawValue:))
        }

        var fields: [(name: String, value: String)] { pids.map { ("PID", $0.description) } }
    }

    /// `41 <PID> <data>...`.
    public struct Response: Hashable, Sendable {
        /// The records, in order.
        public var records: [OBDDataRecord]

        /// Creates a response.
        public init(_ records: [OBDDataRecord]) { self.records = records }

        /// The response bytes.
        public var bytes: [UInt8] { records.reduce(into: [0x41]) { $0 += [$1.pid.rawValue] + $1.data } }

        init(from cursor: inout OBDCursor) throws(OBDError) {
            records = []
            repeat {
                let pid = OBDParameterID(try cursor.byte("PID"))
                records.append(try OBDDataRecord.read(pid: pid, frameNumber: nil, from: &cursor))
            } while !cursor.isAtEnd
        }

        var fields: [(name: String, value: String)] { records.map(\.field) }
    }
}

/// Mode 0x02, show freeze frame data. Request `02 <PID> <frame>`; response `42 <PID> <frame> <data>`.
/// PID 0x02 of a freeze frame is the DTC that stored it.
public enum OBDFreezeFrame {
    /// `02 {<PID> <frame>}`.
    public struct Request: Hashable, Sendable {
        /// PID and frame number pairs.
        public var items: [(pid: OBDParameterID, frameNumber: UInt8)]

        /// Builds a request for one PID of one frame.
        public init(pid: OBDParameterID, frameNumber: UInt8 = 0) { items = [(pid, frameNumber)] }

        /// The request bytes.
        public var bytes: [UInt8] { items.reduce(into: [0x02]) { $0 += [$1.pid.rawValue, $1.frameNumber] } }

        init(from cursor: inout OBDCursor) throws(OBDError) {
            items = []
            repeat {
                let pid = OBDParameterID(try cursor.byte("PID"))
                items.append((pid, try cursor.byte("frame number")))
            } while !cursor.isAtEnd
        }

        public static func == (lhs: Request, rhs: Request) -> Bool {
            lhs.items.elementsEqual(rhs.items) { $0.pid == $1.pid && $0.frameNumber == $1.frameNumber }
        }

        public func hash(into hasher: inout Hasher) {
            for item in items { hasher.combine(item.pid); hasher.combine(item.frameNumber) }
        }

        var fields: [(name: String, value: String)] {
            items.map { ("PID", "\($0.pid) frame \($0.frameNumber)") }
        }
    }

    /// `42 <PID> <frame> <data>...`.
    public struct Response: Hashable, Sendable {
        /// The records, each with its frame number.
        public var records: [OBDDataRecord]

        /// The DTC that stored the frame (PID 0x02), if present and not zero.
        public var dtcs: [DiagnosticTroubleCode] {
            records.compactMap { record in
                guard record.pid.rawValue == 0x02, record.data.count == 2 else { return nil }
                let code = DTCCode(high: record.data[record.data.startIndex], low: record.data[record.data.startIndex + 1])
                return code.rawValue == 0 ? nil : DiagnosticTroubleCode(code: code)
            }
        }

        init(from cursor: inout OBDCursor) throws(OBDError) {
            records = []
            repeat {
                let pid = OBDParameterID(try cursor.byte("PID"))
                let frame = try cursor.byte("frame number")
                records.append(try OBDDataRecord.read(pid: pid, frameNumber: frame, from: &cursor))
            } while !cursor.isAtEnd
        }

        var fields: [(name: String, value: String)] { records.map(\.field) }
    }
}
