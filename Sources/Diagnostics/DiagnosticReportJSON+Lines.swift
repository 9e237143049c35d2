import CANCore
import DTC
import FoundationEssentials

extension DiagnosticReportJSON {
    /// One DTC record as a JSONL line (no newline): byte for byte what `JSONEncoder` with sorted keys makes of
    /// the record, written directly. A large log holds hundreds of thousands of records, and the generic
    /// encoder spent about 20 µs on each, half the time of a whole decode.
    public static func line(for record: DTCRecord, ecuName: String?) -> String {
        let dtc = record.dtc
        let status = dtc.status
        let strings = [ecuName, dtc.failureType?.name, record.service]
        // Control characters take escapes this writer does not produce; such text goes through the encoder.
        guard strings.allSatisfy({ $0.map(isPlainJSONText) ?? true }), let stamp = timestampText(record.timestamp)
        else {
            return encode(DTCRecordJSON(record, ecuName: ecuName), pretty: false)
        }
        var text = "{\"code\":"
        text.reserveCapacity(448)
        appendQuoted(dtc.code.description, to: &text)
        text += ",\"ecu\":{\"extendedAddress\":"
        text += record.ecu.extendedAddress.map { String($0) } ?? "null"
        text += ",\"name\":"
        appendQuoted(ecuName, to: &text)
        text += ",\"requestId\":" + String(record.ecu.requestID.value)
        text += ",\"responseId\":" + String(record.ecu.responseID.value)
        text += "},\"failureType\":" + (dtc.failureType.map { String($0.rawValue) } ?? "null")
        text += ",\"failureTypeName\":"
        appendQuoted(dtc.failureType?.name, to: &text)
        text += ",\"service\":"
        appendQuoted(record.service, to: &text)
        text += ",\"source\":"
        appendQuoted(record.source.rawValue, to: &text)
        text += ",\"state\":"
        appendQuoted(status?.summary.state, to: &text)
        text += ",\"status\":" + (status.map { String($0.rawValue) } ?? "null")
        text += ",\"statusBits\":["
        for (index, name) in (status?.names ?? []).enumerated() {
            if index > 0 { text += "," }
            appendQuoted(name, to: &text)
        }
        text += "],\"text\":"
        appendQuoted(dtc.hyphenatedText, to: &text)
        text += ",\"timestamp\":" + stamp + "}"
        return text
    }

    /// The closing JSONL line: the summary of a decode whose records were written one by one.
    public static func summaryLine(_ summary: DecodeSummary, dtcRecords: Int) -> String {
        encode(SummaryLineJSON(summary: SummaryJSON(summary, dtcRecords: dtcRecords)), pretty: false)
    }

    /// Text JSON writes between quotes as it is: no quote, backslash or control character.
    static func isPlainJSONText(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }
    }

    private static func appendQuoted(_ value: String?, to text: inout String) {
        guard let value else {
            text += "null"
            return
        }
        text += "\""
        text += value
        text += "\""
    }

    /// The timestamp as the encoder writes the Double: `description`, with a whole number's ".0" dropped;
    /// nil (use the encoder) for anything in exponent form.
    static func timestampText(_ duration: Duration?) -> String? {
        guard let value = seconds(duration) else { return "null" }
        var text = value.description
        if text.contains("e") || text.contains("n") || text.contains("i") { return nil }
        if text.hasSuffix(".0") { text.removeLast(2) }
        return text
    }
}
