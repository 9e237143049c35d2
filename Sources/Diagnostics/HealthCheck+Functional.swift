import CANCore

extension ECUDescriptor {
    /// True for an ECU on a legislated OBD-II address (0x7E0-0x7E7 or 0x18DAxxF1) that speaks OBD: it answers
    /// functional requests.
    var isLegislatedOBD: Bool {
        guard protocols.contains(.obd), address.extendedAddress == nil else { return false }
        let request = address.requestID
        if request.isExtended { return FunctionalAddressing.obd29Bit.responder(answeringOn: address.responseID) == address }
        return FunctionalAddressing.obd11Bit.responder(answeringOn: address.responseID) == address
    }
}

extension HealthCheck {
    /// The OBD-II requests of the functional phase, in order: supported PIDs, stored, pending and permanent
    /// codes, the VIN.
    static var functionalRequests: [[UInt8]] {
        [[0x01, 0x00]] + ServicePolicy.obdReadCodes + [ServicePolicy.obdVIN]
    }

    /// Asks every OBD-II ECU at once: `01 00` on 0x7DF, and on 0x18DB33F1 when nothing answers there; then the
    /// codes and VIN functionally on the addressing that was answered. One result per answering ECU (named from
    /// `selected` when it is there, else "OBD ECU at ADDR"); when nothing answers, the selected ECUs are listed
    /// as not responding.
    func functionalOBD(_ selected: [ECUDescriptor], on tap: FrameDemultiplexer<Base>.Route) async -> [ECUScanResult] {
        guard !selected.isEmpty else { return [] }
        let began = clock.now
        var log: [String] = []
        var sent: [String] = []
        var answered: [ECUAddress: Int] = [:]
        var failed: String?
        var chosen: FunctionalAddressing?
        let addressings: [FunctionalAddressing] =
            selected.contains { $0.address.requestID.isExtended }
            ? [.obd29Bit, .obd11Bit] : [.obd11Bit, .obd29Bit]
        for addressing in addressings {
            let client = FunctionalClient(addressing: addressing, transport: tap, clock: clock, timing: configuration.timing)
            do {
                let result = try await client.request(Self.functionalRequests[0])
                sent.append("\(addressing): 01 00")
                if !result.answers.isEmpty {
                    chosen = addressing
                    for ecu in result.answers.keys { answered[ecu, default: 0] += 1 }
                    break
                }
                log.append("functional \(addressing): 01 00: no answer within \(ResponseTimeout.milliseconds(result.elapsed))")
            } catch {
                failed = error.reason
                log.append("\(error)")
                break
            }
        }
        if let addressing = chosen {
            let client = FunctionalClient(addressing: addressing, transport: tap, clock: clock, timing: configuration.timing)
            for request in Self.functionalRequests.dropFirst() {
                do {
                    let result = try await client.request(request)
                    sent.append("\(addressing): \(Hex.spaced(request))")
                    for ecu in result.answers.keys { answered[ecu, default: 0] += 1 }
                    for ecu in result.stillPending.sorted() {
                        log.append("\(ecu): functional \(Hex.spaced(request)): only response-pending (0x78) in time")
                    }
                } catch {
                    failed = error.reason
                    log.append("\(error)")
                    break
                }
            }
        }
        let elapsed = began.duration(to: clock.now)
        guard !answered.isEmpty else {
            let status: ECUScanResult.Status = failed.map { .unreached($0) } ?? .noResponse
            return selected.map { descriptor in
                ECUScanResult(
                    descriptor: descriptor, diagnosticProtocol: nil, status: status, elapsed: elapsed,
                    requestsSent: sent, log: log)
            }
        }
        return answered.keys.sorted().map { address in
            let descriptor =
                selected.first { $0.address == address }
                ?? configuration.profile.ecu(at: address)
                ?? ECUDescriptor(
                    name: "OBD ECU at \(address)", address: address, protocols: [.obd],
                    source: "answered functional OBD requests")
            let status: ECUScanResult.Status = failed == nil ? .answered : .stoppedAnswering
            return ECUScanResult(
                descriptor: descriptor, diagnosticProtocol: .obd, status: status, elapsed: elapsed, requestsSent: sent,
                log: address == answered.keys.min() ? log : [])
        }
    }
}
