import CANCore
public import DTC
public import ISOTP

/// One simulated ECU as a responder without I/O: a request's bytes in, the replies to send (each after a
/// delay) out. It keeps the ECU's codes (a clear erases them), counts requests for the silent-after
/// behaviour, and answers UDS, KWP2000 on CAN and OBD-II as its scenario says.
public struct VirtualECU: Sendable {
    /// One reply: wait `delay`, then send `payload`.
    public struct Reply: Hashable, Sendable {
        /// Time to wait before sending (from the request, or from the previous reply).
        public var delay: Duration
        /// The message.
        public var payload: [UInt8]
    }

    /// A stored code with its status byte.
    struct StoredDTC: Hashable, Sendable {
        var dtc: DiagnosticTroubleCode
        var status: UInt8
        var permanent: Bool
    }

    /// The ECU's name.
    public let name: String
    /// The ECU's side of the ISO-TP link (ids and address bytes as the ECU sees them).
    public let address: ISOTPAddress
    /// Protocols it answers.
    public let protocols: Set<String>
    /// The behaviour from the scenario.
    public let behaviour: Scenario.Behaviour
    private let identifiers: [UInt16: [UInt8]]
    private var dtcs: [StoredDTC]
    private var requestsAnswered = 0
    private var busyRepliesSent: [UInt8: Int] = [:]
    /// Every request received, in order.
    public private(set) var requestsReceived: [[UInt8]] = []

    /// Builds the responder for `ecu`, checking every field.
    public init(_ ecu: Scenario.ECU) throws(ScenarioError) {
        try self.init(ecu, location: ScenarioError.Location(file: "scenario", ecuIndex: 0))
    }

    init(_ ecu: Scenario.ECU, location: ScenarioError.Location) throws(ScenarioError) {
        func failure(_ field: String, _ reason: String) -> ScenarioError {
            ScenarioError(file: location.file, field: "ecus[\(location.ecuIndex)].\(field)", reason: reason)
        }
        func id(_ text: String, _ field: String) throws(ScenarioError) -> CANIdentifier {
            guard let value = UInt32(text, radix: 16),
                let id = CANIdentifier(value, format: text.count > 3 ? .extended : .standard)
            else { throw failure(field, "'\(text)' is not a CAN id in hex (7E0, 750, 18DA28F1)") }
            return id
        }
        func byte(_ text: String, _ field: String) throws(ScenarioError) -> UInt8 {
            guard text.count <= 2, let value = UInt8(text, radix: 16) else {
                throw failure(field, "'\(text)' is not a byte in hex")
            }
            return value
        }
        name = ecu.name
        let request = try id(ecu.request, "request")
        let response = try id(ecu.response, "response")
        if let text = ecu.extendedAddress {
            let sub = try byte(text, "extendedAddress")
            address = .extended(transmitID: response, receiveID: request, targetAddress: sub, sourceAddress: sub)
        } else {
            address = .normal(transmitID: response, receiveID: request)
        }
        let known: Set<String> = ["uds", "kwp", "obd"]
        guard !ecu.protocols.isEmpty, ecu.protocols.allSatisfy(known.contains) else {
            throw failure("protocols", "\(ecu.protocols) must list some of uds, kwp, obd")
        }
        protocols = Set(ecu.protocols)
        var identifiers: [UInt16: [UInt8]] = [:]
        for (key, value) in ecu.identifiers {
            guard let number = UInt16(key, radix: 16) else { throw failure("identifiers.\(key)", "not a hex DID or option") }
            if value.hasPrefix("hex:") {
                guard let bytes = Hex.bytes(String(value.dropFirst(4))) else {
                    throw failure("identifiers.\(key)", "'\(value)' has bad hex")
                }
                identifiers[number] = bytes
            } else {
                identifiers[number] = Array(value.utf8)
            }
        }
        self.identifiers = identifiers
        var dtcs: [StoredDTC] = []
        for (index, entry) in ecu.dtcs.enumerated() {
            guard let dtc = DiagnosticTroubleCode(entry.code) else {
                throw failure("dtcs[\(index)].code", "'\(entry.code)' is not a code (B15C4, B15C4-13, P0335)")
            }
            let status = try byte(entry.status, "dtcs[\(index)].status")
            dtcs.append(StoredDTC(dtc: dtc, status: status, permanent: entry.permanent ?? false))
        }
        self.dtcs = dtcs
        let behaviour = ecu.behaviour
        for (service, code) in behaviour.negativeResponses ?? [:] {
            _ = try byte(service, "behaviour.negativeResponses.\(service)")
            _ = try byte(code, "behaviour.negativeResponses.\(service)")
        }
        if let code = behaviour.clearFailsWith { _ = try byte(code, "behaviour.clearFailsWith") }
        for service in behaviour.responsePending?.services ?? [] { _ = try byte(service, "behaviour.responsePending.services") }
        if let blockSize = behaviour.blockSize, !(0...255).contains(blockSize) {
            throw failure("behaviour.blockSize", "\(blockSize) is not 0-255")
        }
        if let stmin = behaviour.separationTimeMilliseconds, !(0...127).contains(stmin) {
            throw failure("behaviour.separationTimeMilliseconds", "\(stmin) is not 0-127")
        }
        self.behaviour = behaviour
    }

    /// The codes it holds now.
    public var storedDTCs: [DiagnosticTroubleCode] { dtcs.map(\.dtc) }

    /// The replies to `request`: empty when the ECU stays silent (or the request needs no answer).
    public mutating func respond(to request: [UInt8]) -> [Reply] {
        guard let service = request.first else { return [] }
        requestsReceived.append(request)
        if behaviour.silent == true { return [] }
        if let limit = behaviour.silentAfterRequests, requestsAnswered >= limit { return [] }
        requestsAnswered += 1
        let latency = Duration.milliseconds(behaviour.latencyMilliseconds ?? 0)
        if let busy = behaviour.busyRepeatCount, busyRepliesSent[service, default: 0] < busy {
            busyRepliesSent[service, default: 0] += 1
            return [Reply(delay: latency, payload: [0x7F, service, 0x21])]
        }
        let final: [UInt8]
        if let code = behaviour.negativeResponses?[Hex.string(service, digits: 2)].flatMap({ UInt8($0, radix: 16) }) {
            final = [0x7F, service, code]
        } else {
            guard let answer = answer(request) else { return [] }
            final = answer
        }
        var replies: [Reply] = []
        var delay = latency
        if let pending = behaviour.responsePending,
            pending.services.map({ $0.isEmpty || $0.contains(Hex.string(service, digits: 2)) }) ?? true
        {
            for _ in 0..<pending.count {
                replies.append(Reply(delay: delay, payload: [0x7F, service, 0x78]))
                delay = .milliseconds(pending.intervalMilliseconds)
            }
        }
        if final.count > address.singleFrameCapacity, let extra = behaviour.firstFrameDelayMilliseconds {
            delay += .milliseconds(extra)
        }
        replies.append(Reply(delay: delay, payload: final))
        return replies
    }

    /// The final answer to `request` by protocol, or nil for no answer (suppressed positive response).
    private mutating func answer(_ request: [UInt8]) -> [UInt8]? {
        let service = request[0]
        let refused: [UInt8] = [0x7F, service, 0x11]
        switch service {
        case 0x01...0x0A where protocols.contains("obd"):
            return obd(request)
        case 0x10:
            guard protocols.contains("uds") else { return [0x7F, 0x10, 0x12] }
            guard request.count == 2 else { return [0x7F, 0x10, 0x13] }
            // P2 50 ms, P2* 5000 ms (ISO 14229-2 defaults), in the response's units (ms, 10 ms).
            return [0x50, request[1], 0x00, 0x32, 0x01, 0xF4]
        case 0x22 where protocols.contains("uds"):
            return readIdentifiers(request)
        case 0x19 where protocols.contains("uds"):
            return readDTCInformation(request)
        case 0x3E:
            guard request.count == 2 else { return [0x7F, 0x3E, 0x13] }
            let suppress = request[1] & 0x80 != 0 || request[1] == 0x02
            return suppress ? nil : [0x7E, request[1]]
        case 0x14:
            return clear(request)
        case 0x18 where protocols.contains("kwp"):
            var out: [UInt8] = [0x58, UInt8(min(dtcs.count, 255))]
            for stored in dtcs { out += [stored.dtc.code.highByte, stored.dtc.code.lowByte, stored.status] }
            return out
        case 0x13 where protocols.contains("kwp"):
            var out: [UInt8] = [0x53, UInt8(min(dtcs.count, 255))]
            for stored in dtcs { out += [stored.dtc.code.highByte, stored.dtc.code.lowByte] }
            return out
        case 0x1A where protocols.contains("kwp"):
            guard request.count == 2, let data = identifiers[UInt16(request[1])] else { return [0x7F, 0x1A, 0x31] }
            return [0x5A, request[1]] + data
        default:
            return refused
        }
    }

    private func readIdentifiers(_ request: [UInt8]) -> [UInt8] {
        guard request.count >= 3, request.count % 2 == 1 else { return [0x7F, 0x22, 0x13] }
        var out: [UInt8] = [0x62]
        for index in stride(from: 1, to: request.count, by: 2) {
            let did = UInt16(request[index]) << 8 | UInt16(request[index + 1])
            guard let data = identifiers[did] else { return [0x7F, 0x22, 0x31] }
            out += [request[index], request[index + 1]] + data
        }
        return out
    }

    private func readDTCInformation(_ request: [UInt8]) -> [UInt8] {
        guard request.count >= 2 else { return [0x7F, 0x19, 0x13] }
        let availability: UInt8 = 0xFF
        switch request[1] {
        case 0x01, 0x02:
            guard request.count == 3 else { return [0x7F, 0x19, 0x13] }
            let mask = request[2]
            let matching = dtcs.filter { $0.status & mask != 0 }
            if request[1] == 0x01 {
                return [0x59, 0x01, availability, 0x01, UInt8(matching.count >> 8), UInt8(matching.count & 0xFF)]
            }
            var out: [UInt8] = [0x59, 0x02, availability]
            for stored in matching {
                out += [stored.dtc.code.highByte, stored.dtc.code.lowByte, stored.dtc.failureType?.rawValue ?? 0, stored.status]
            }
            return out
        default:
            return [0x7F, 0x19, 0x12]
        }
    }

    private mutating func clear(_ request: [UInt8]) -> [UInt8] {
        let uds = request == [0x14, 0xFF, 0xFF, 0xFF] && protocols.contains("uds")
        let kwp = request.count == 3 && protocols.contains("kwp")
        guard uds || kwp else { return [0x7F, 0x14, uds || request.count == 4 ? 0x31 : 0x13] }
        if let code = behaviour.clearFailsWith.flatMap({ UInt8($0, radix: 16) }) { return [0x7F, 0x14, code] }
        dtcs.removeAll { !$0.permanent }
        return kwp ? [0x54, request[1], request[2]] : [0x54]
    }

    private mutating func obd(_ request: [UInt8]) -> [UInt8] {
        let mode = request[0]
        func codes(_ list: [StoredDTC]) -> [UInt8] {
            var out: [UInt8] = [mode | 0x40, UInt8(min(list.count, 255))]
            for stored in list { out += [stored.dtc.code.highByte, stored.dtc.code.lowByte] }
            return out
        }
        switch mode {
        case 0x03: return codes(dtcs.filter { $0.status & 0x08 != 0 })
        case 0x07: return codes(dtcs.filter { $0.status & 0x04 != 0 })
        case 0x0A: return codes(dtcs.filter(\.permanent))
        case 0x04:
            guard request.count == 1 else { return [0x7F, 0x04, 0x13] }
            if let code = behaviour.clearFailsWith.flatMap({ UInt8($0, radix: 16) }) { return [0x7F, 0x04, code] }
            dtcs.removeAll { !$0.permanent }
            return [0x44]
        case 0x01:
            // PID 00: supported PIDs 01-20 (01, 05, 0C, 0D); anything else: only PID 00 is simulated.
            guard request.count == 2, request[1] == 0x00 else { return [0x7F, 0x01, 0x12] }
            return [0x41, 0x00, 0x88, 0x18, 0x00, 0x00]
        case 0x09:
            guard request.count == 2, request[1] == 0x02, let vin = identifiers[0xF190] else { return [0x7F, 0x09, 0x12] }
            return [0x49, 0x02, 0x01] + vin
        default:
            return [0x7F, mode, 0x11]
        }
    }
}

extension ISOTPAddress {
    /// The most payload bytes a classic single frame carries on this address.
    var singleFrameCapacity: Int { 7 - addressByteCount }
}
