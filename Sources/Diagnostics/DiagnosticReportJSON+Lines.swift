import CANCore
import DTC
import FoundationEssentials

extension DiagnosticReportJSON {
    /// One DTC record as a JSONL line (no newline): byte for byte what `JSONEncoder` with sorted keys makes of
    /// the record, written directly (see ``appendLine(for:ecuName:to:)``).
    public static func line(for record: DTCRecord, ecuName: String?) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(320)
        appendLine(for: record, ecuName: ecuName, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends one DTC record as a JSONL line (no newline) to `output`: byte for byte what `JSONEncoder` with
    /// sorted keys makes of the record, written straight into bytes. A large log holds hundreds of thousands
    /// of records; the generic encoder spent about 20 µs on each, and building the line as a `String` still
    /// most of a whole decode's time.
    public static func appendLine(for record: DTCRecord, ecuName: String?, to output: inout [UInt8]) {
        appendLine(
            for: record, ecu: ecuFragment(record.ecu, name: ecuName), service: serviceFragment(record),
            timestamp: timestampText(record.timestamp), ecuName: ecuName, to: &output)
    }

    /// Writes DTC records as JSONL lines like ``appendLine(for:ecuName:to:)``, keeping the parts the records of
    /// one response share (the timestamp's text, the ECU, the service): writing a `Double` the way
    /// `JSONEncoder` does, and checking text for characters to escape, were most of a line's cost.
    public struct RecordLineWriter: Sendable {
        private var lastTimestamp: Duration?
        private var lastText: String?? = .none
        private var lastECU: (address: ECUAddress, name: String?)?
        private var ecu: [UInt8]?
        private var lastService: (service: String, source: DiagnosticProtocol)?
        private var service: [UInt8]?

        /// A writer that has written nothing yet.
        public init() {}

        /// Appends `record` as a JSONL line (no newline) to `output`.
        public mutating func append(_ record: DTCRecord, ecuName: String?, to output: inout [UInt8]) {
            if lastText == nil || record.timestamp != lastTimestamp {
                lastTimestamp = record.timestamp
                lastText = .some(DiagnosticReportJSON.timestampText(record.timestamp))
            }
            if lastECU == nil || lastECU!.address != record.ecu || lastECU!.name != ecuName {
                lastECU = (record.ecu, ecuName)
                ecu = DiagnosticReportJSON.ecuFragment(record.ecu, name: ecuName)
            }
            if lastService == nil || lastService!.service != record.service || lastService!.source != record.source {
                lastService = (record.service, record.source)
                service = DiagnosticReportJSON.serviceFragment(record)
            }
            DiagnosticReportJSON.appendLine(
                for: record, ecu: ecu, service: service, timestamp: lastText!, ecuName: ecuName, to: &output)
        }
    }

    /// `"ecu":{"extendedAddress":…,"name":…,"requestId":…,"responseId":…},` as the encoder writes it; nil when
    /// the name needs escaping.
    static func ecuFragment(_ address: ECUAddress, name: String?) -> [UInt8]? {
        guard name.map(isPlainJSONText) ?? true else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(96 + (name?.utf8.count ?? 0))
        bytes += #""ecu":{"extendedAddress":"#.utf8
        bytes += (address.extendedAddress.map { String($0) } ?? "null").utf8
        bytes += #","name":"#.utf8
        appendQuoted(name, to: &bytes)
        bytes += #","requestId":"#.utf8
        bytes += String(address.requestID.value).utf8
        bytes += #","responseId":"#.utf8
        bytes += String(address.responseID.value).utf8
        bytes += #"},"#.utf8
        return bytes
    }

    /// `,"service":…,"source":…,` as the encoder writes it; nil when the service needs escaping.
    static func serviceFragment(_ record: DTCRecord) -> [UInt8]? {
        guard isPlainJSONText(record.service) else { return nil }
        var bytes = Array(#","service":"#.utf8)
        appendQuoted(record.service, to: &bytes)
        bytes += #","source":"#.utf8
        appendQuoted(record.source.rawValue, to: &bytes)
        bytes.append(0x2C)  // ','
        return bytes
    }

    /// One record's line from its parts (nil parts, or a timestamp the encoder must write: the encoder writes
    /// the whole line).
    static func appendLine(
        for record: DTCRecord, ecu: [UInt8]?, service: [UInt8]?, timestamp: String?, ecuName: String?,
        to output: inout [UInt8]
    ) {
        let dtc = record.dtc
        let fragments = LineFragments.shared
        var failureType: [UInt8]? = fragments.noFailureType
        if let type = dtc.failureType { failureType = fragments.failureTypes[Int(type.rawValue)] }
        var status: [UInt8]? = fragments.noStatus
        if let byte = dtc.status {
            status = fragments.statuses[Int(byte.rawValue)]
        } else if record.state != nil {
            status = nil  // a state from the OBD mode or the KWP status byte: the encoder writes the record
        }
        guard let ecu, let service, let failureType, let status, let stamp = timestamp else {
            output.append(contentsOf: encode(DTCRecordJSON(record, ecuName: ecuName), pretty: false).utf8)
            return
        }
        let code = dtc.code.rawValue
        // Room for every part (the fixed text and codes take under 64 bytes), written through a pointer and
        // trimmed after: appending part by part checked the array's capacity and uniqueness every time.
        let room = 64 + ecu.count + service.count + failureType.count + status.count + stamp.utf8.count
        let before = output.count
        output.append(contentsOf: repeatElement(0, count: room))
        let written = output.withUnsafeMutableBufferPointer { buffer in
            var line = ByteWriter(buffer.baseAddress! + before)
            line.literal(#"{"code":""#)
            line.code(code)
            line.literal(#"","#)
            line.bytes(ecu)
            line.bytes(failureType)
            line.bytes(service)
            line.bytes(status)
            line.literal(#","text":""#)
            line.code(code)
            if let type = dtc.failureType {
                line.byte(0x2D)  // '-'
                line.byte(hexDigit(type.rawValue >> 4))
                line.byte(hexDigit(type.rawValue & 0xF))
            }
            line.literal(#"","timestamp":"#)
            line.text(stamp)
            line.byte(0x7D)  // '}'
            return line.pointer - (buffer.baseAddress! + before)
        }
        output.removeLast(room - written)
    }

    /// Writes a line's parts one after another through a pointer; the caller makes room for them first.
    private struct ByteWriter {
        var pointer: UnsafeMutablePointer<UInt8>

        init(_ pointer: UnsafeMutablePointer<UInt8>) { self.pointer = pointer }

        @inline(__always)
        mutating func byte(_ byte: UInt8) {
            pointer.pointee = byte
            pointer += 1
        }

        @inline(__always)
        mutating func literal(_ literal: StaticString) {
            pointer.update(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
            pointer += literal.utf8CodeUnitCount
        }

        @inline(__always)
        mutating func bytes(_ bytes: [UInt8]) {
            bytes.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: $0.count) }
            pointer += bytes.count
        }

        mutating func text(_ text: String) {
            var text = text
            text.withUTF8 { bytes in
                if let base = bytes.baseAddress { pointer.update(from: base, count: bytes.count) }
                pointer += bytes.count
            }
        }

        /// The five characters of a code (`B15C4`), as `DTCCode.description` writes them.
        mutating func code(_ code: UInt16) {
            let letter: UInt8 =
                switch code >> 14 {
                case 0: 0x50  // P
                case 1: 0x43  // C
                case 2: 0x42  // B
                default: 0x55  // U
                }
            byte(letter)
            byte(0x30 + UInt8((code >> 12) & 0x3))
            byte(DiagnosticReportJSON.hexDigit(UInt8((code >> 8) & 0xF)))
            byte(DiagnosticReportJSON.hexDigit(UInt8((code >> 4) & 0xF)))
            byte(DiagnosticReportJSON.hexDigit(UInt8(code & 0xF)))
        }
    }

    /// The JSONL line with the repair plan (`advice`, a triage document as in the decode document's `triage`),
    /// written after the records and before the summary.
    public static func triageLine(_ advice: any Encodable) -> String {
        encode(TriageLineJSON(triage: AnyEncodable(advice)), pretty: false)
    }

    /// The closing JSONL line: the summary of a decode whose records were written one by one.
    public static func summaryLine(_ summary: DecodeSummary, dtcRecords: Int) -> String {
        encode(SummaryLineJSON(summary: SummaryJSON(summary, dtcRecords: dtcRecords)), pretty: false)
    }

    /// Text JSON writes between quotes as it is: no quote, backslash or control character.
    static func isPlainJSONText(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in !bytes.contains { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } }
    }

    /// The timestamp as the encoder writes the Double: `description`, with a whole number's ".0" dropped;
    /// nil (use the encoder) for anything in exponent form.
    static func timestampText(_ duration: Duration?) -> String? {
        guard let value = seconds(duration) else { return "null" }
        var text = value.description
        // Exponent form ("1e-05"), "nan" and "inf" are left to the encoder.
        let (isPlain, endsInPointZero) = text.withUTF8 { bytes in
            (
                !bytes.contains { $0 == 0x65 || $0 == 0x6E || $0 == 0x69 },
                bytes.count > 2 && bytes[bytes.count - 1] == 0x30 && bytes[bytes.count - 2] == 0x2E
            )
        }
        guard isPlain else { return nil }
        if endsInPointZero { text.removeLast(2) }
        return text
    }

    @inline(__always)
    fileprivate static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x37 + nibble }

    private static func appendQuoted(_ value: String?, to output: inout [UInt8]) {
        guard let value else {
            appendLiteral("null", to: &output)
            return
        }
        output.append(0x22)
        appendText(value, to: &output)
        output.append(0x22)
    }

    /// Appends a string's UTF-8 in one copy (appending `text.utf8` goes a code unit at a time).
    @inline(__always)
    private static func appendText(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { output.append(contentsOf: $0) }
    }

    /// Appends a literal's UTF-8 in one copy.
    @inline(__always)
    private static func appendLiteral(_ literal: StaticString, to output: inout [UInt8]) {
        output.append(contentsOf: UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }

    /// The parts of a line that depend on one byte only, made once: for each failure type,
    /// `"failureType":N,"failureTypeName":...`; for each status byte, `"state":...,"status":N,"statusBits":[...]`.
    /// nil where a name would need escaping (none does; the encoder then writes the record).
    private struct LineFragments: Sendable {
        static let shared = LineFragments()

        let failureTypes: [[UInt8]?]
        let noFailureType = Array(#""failureType":null,"failureTypeName":null"#.utf8)
        let statuses: [[UInt8]?]
        let noStatus = Array(#""state":null,"status":null,"statusBits":[]"#.utf8)

        init() {
            failureTypes = (0...255).map { (raw: Int) -> [UInt8]? in
                let name = FailureType(rawValue: UInt8(raw)).name
                guard name.map(DiagnosticReportJSON.isPlainJSONText) ?? true else { return nil }
                var bytes = Array("\"failureType\":\(raw),\"failureTypeName\":".utf8)
                DiagnosticReportJSON.appendQuoted(name, to: &bytes)
                return bytes
            }
            statuses = (0...255).map { (raw: Int) -> [UInt8]? in
                let status = DTCStatus(rawValue: UInt8(raw))
                let names = status.names
                let state = status.summary.state
                guard names.allSatisfy(DiagnosticReportJSON.isPlainJSONText),
                    DiagnosticReportJSON.isPlainJSONText(state)
                else { return nil }
                var bytes = Array("\"state\":".utf8)
                DiagnosticReportJSON.appendQuoted(state, to: &bytes)
                bytes.append(contentsOf: ",\"status\":\(raw),\"statusBits\":[".utf8)
                for (index, name) in names.enumerated() {
                    if index > 0 { bytes.append(0x2C) }
                    DiagnosticReportJSON.appendQuoted(name, to: &bytes)
                }
                bytes.append(0x5D)  // ']'
                return bytes
            }
        }
    }
}
