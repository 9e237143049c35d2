import CANCore
import DTC
import Interpretation

extension DiagnosticReport {
    /// The report for people: a table of ECUs, their identification, every DTC record, the DCM status,
    /// negative responses, and a summary that accounts for every frame. Ends with a newline.
    public func text(title: String) -> String {
        var out = title + "\n\n"
        if ecus.isEmpty {
            out += "No diagnostic conversation found.\n\n"
        } else {
            out += ecuTable() + "\n"
        }
        let identified = ecus.filter { !$0.identification.isEmpty }
        if !identified.isEmpty {
            out += "Identification\n"
            for ecu in identified {
                out += "  \(displayName(ecu)) \(ecu.address)\n"
                for key in ecu.identification.keys.sorted() {
                    out += "    \(key): \(ecu.identification[key]!)\n"
                }
            }
            out += "\n"
        }
        out += "Trouble codes (\(dtcs.count) record\(dtcs.count == 1 ? "" : "s"))\n"
        if dtcs.isEmpty {
            out += "  none reported\n"
        } else {
            let names = ecuNames
            var rows: [[String]] = [["Code", "Failure type", "Status", "ECU", "Service", "Time"]]
            for record in dtcs {
                let dtc = record.dtc
                rows.append([
                    dtc.hyphenatedText,
                    dtc.failureType.map { $0.name ?? "manufacturer/reserved" } ?? "-",
                    dtc.status.map { "\($0.summary) (0x\(Hex.string($0.rawValue, digits: 2)))" }
                        ?? record.kwpStatus.map {
                            "\(record.state ?? "no DTC")\($0.isWarningLampOn ? ", warning lamp on" : "") "
                                + "(KWP 0x\(Hex.string($0.rawValue, digits: 2)))"
                        }
                        ?? record.state ?? "-",
                    (names[record.ecu] ?? "ECU") + " " + record.ecu.description,
                    "\(record.source.rawValue.uppercased()) \(record.service)",
                    Self.time(record.timestamp),
                ])
            }
            out += Self.table(rows, indent: 2)
        }
        out += "\n"
        if let dcmStatus { out += dcmStatus.text + "\n" }
        let refusing = ecus.filter { !$0.negativeResponses.isEmpty }
        if !refusing.isEmpty {
            out += "Negative responses\n"
            for ecu in refusing {
                var counts: [String: Int] = [:]
                var order: [String] = []
                for response in ecu.negativeResponses {
                    let key = "\(Hex.string(response.serviceID, digits: 2)) \(response.name)"
                    if counts[key] == nil { order.append(key) }
                    counts[key, default: 0] += 1
                }
                let list = order.map { counts[$0]! > 1 ? "\($0) ×\(counts[$0]!)" : $0 }.joined(separator: "; ")
                out += "  \(displayName(ecu)) \(ecu.address): \(list)\n"
            }
            out += "\n"
        }
        out += summary.text + "\n"
        return out
    }

    private func displayName(_ ecu: ECUReport) -> String { ecu.name ?? "ECU" }

    private func ecuTable() -> String {
        var rows: [[String]] = [["ECU", "Address", "Protocol", "Requests", "Result"]]
        for ecu in ecus {
            let protocols = ecu.protocols.map { $0.rawValue.uppercased() }.sorted().joined(separator: "+")
            let services = ecu.servicesRequested.keys.sorted().map { Hex.string($0, digits: 2) }.joined(separator: " ")
            let result: String
            if !ecu.answered {
                result = ecu.unansweredRequests > 0 ? "no response" : "no reply expected"
            } else if !ecu.dtcs.isEmpty {
                let distinct = Set(ecu.dtcs.map(\.dtc.hyphenatedText)).count
                result = "\(distinct) code\(distinct == 1 ? "" : "s")"
            } else if ecu.unansweredRequests > 0, ecu.negativeResponses.last?.code == 0x78 {
                // 0x78 says the answer is coming; the log ended (or the tester gave up) before it came.
                result = "response pending, no final answer"
            } else if !ecu.negativeResponses.isEmpty && ecu.protocols.isEmpty {
                result = "negative response"
            } else {
                result = "OK"
            }
            rows.append([displayName(ecu), ecu.address.description, protocols.isEmpty ? "-" : protocols, services.isEmpty ? "-" : services, result])
        }
        return Self.table(rows, indent: 0)
    }

    static func time(_ duration: Duration?) -> String {
        guard let duration else { return "-" }
        let (seconds, attoseconds) = duration.components
        let micros = attoseconds / 1_000_000_000_000
        let fraction = String(micros)
        return "\(seconds)." + String(repeating: "0", count: max(0, 6 - fraction.count)) + fraction
    }

    /// Left-aligned columns separated by two spaces.
    static func table(_ rows: [[String]], indent: Int) -> String {
        guard let first = rows.first else { return "" }
        var widths = Array(repeating: 0, count: first.count)
        for row in rows {
            for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) }
        }
        let margin = String(repeating: " ", count: indent)
        var out = ""
        for row in rows {
            var line = margin
            for (index, cell) in row.enumerated() {
                line += cell
                if index < row.count - 1 { line += String(repeating: " ", count: widths[index] - cell.count + 2) }
            }
            out += line + "\n"
        }
        return out
    }
}

extension DCMStatusReport {
    /// "DCM status: faults present" and what the log showed.
    public var text: String {
        let verdictText: String =
            switch verdict {
            case .healthy: "healthy (answered, no trouble codes)"
            case .faultsPresent: "faults present"
            case .notResponding: "not responding (\(requestsSent) request\(requestsSent == 1 ? "" : "s") unanswered)"
            case .busFault: "bus fault (error frames around its conversation)"
            case .unknown: "unknown (too little traffic to say)"
            }
        var out = "DCM status: \(verdictText)\n"
        out += "  answered: \(answered ? "yes" : "no"); requests seen: \(requestsSent)\n"
        if let activeSession { out += "  active session: 0x\(Hex.string(activeSession, digits: 2))\n" }
        for key in identification.keys.sorted() { out += "  \(key): \(identification[key]!)\n" }
        for state in ["current", "pending", "history", "stored", "permanent"] {
            guard let codes = dtcsByState[state], !codes.isEmpty else { continue }
            out += "  \(state): \(codes.map(\.hyphenatedText).joined(separator: ", "))\n"
        }
        if !negativeResponses.isEmpty {
            out += "  negative responses: \(negativeResponses.count)\n"
        }
        return out
    }
}

extension DecodeSummary {
    /// One paragraph that accounts for every frame.
    public var text: String {
        let buckets = frameBuckets.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        var out = "Summary: \(frames) frames (\(buckets)); \(messages) messages"
        out += ", \(undecodableMessages) undecodable"
        if responsesWithoutRequest > 0 { out += ", \(responsesWithoutRequest) responses without a request" }
        if errorFrames > 0 { out += ", \(errorFrames) error frames" }
        out += "; \(skippedLines) input lines skipped"
        if dtcRecordsDropped > 0 { out += "; \(dtcRecordsDropped) DTC records over the limit were counted, not kept" }
        return out
    }
}
