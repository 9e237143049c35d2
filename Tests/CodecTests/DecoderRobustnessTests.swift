import KWP
import OBD
import Testing
import UDS

/// The decoders must return or throw on any input, never trap. Deterministic: a fixed-seed generator.
@Suite struct DecoderRobustnessTests {
    /// SplitMix64, so every run feeds the same payloads.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    enum Decoder: String, CaseIterable, Sendable { case uds, kwp, obd }

    /// Decodes and reads every accessor; returns true when the payload decoded.
    static func exercise(_ decoder: Decoder, _ payload: [UInt8]) -> Bool {
        switch decoder {
        case .uds:
            let options = UDSDecodingOptions(
                dataIdentifierLengths: [DataIdentifier(0x0101): 2, .vehicleIdentificationNumber: 17],
                extendedDataRecordLengths: [0x01: 1, 0x02: 3])
            guard let message = try? UDSMessage(decoding: payload, options: options) else { return false }
            _ = (message.fields, message.dtcs, message.serviceID, UDSMessage.recognitionScore(of: payload))
            if case .readDTCInformationResponse(let response) = message.content { _ = response.bytes }
        case .kwp:
            guard let message = try? KWPMessage(decoding: payload) else { return false }
            _ = (message.fields, message.dtcs, message.serviceID, KWPMessage.recognitionScore(of: payload))
        case .obd:
            guard let message = try? OBDMessage(decoding: payload) else { return false }
            _ = (message.fields, message.dtcs, message.mode, OBDMessage.recognitionScore(of: payload))
        }
        return true
    }

    @Test(arguments: Decoder.allCases)
    func everyPayloadUpToTwoBytesAndEveryThreeByteOneOfTheFirstBytesThatMatter(decoder: Decoder) {
        var decoded = 0
        _ = Self.exercise(decoder, [])
        for first in UInt8.min...UInt8.max {
            if Self.exercise(decoder, [first]) { decoded += 1 }
            for second in UInt8.min...UInt8.max where Self.exercise(decoder, [first, second]) { decoded += 1 }
        }
        // Three bytes: all 16.7 million would take minutes in a debug build, so every third byte value is
        // swept for every first byte, with the second byte covering its interesting values.
        let seconds: [UInt8] = [0x00, 0x01, 0x02, 0x04, 0x05, 0x0A, 0x0C, 0x14, 0x19, 0x42, 0x55, 0x56, 0x78, 0x7F,
            0x80, 0x88, 0xF1, 0xFF]
        for first in UInt8.min...UInt8.max {
            for second in seconds {
                for third in UInt8.min...UInt8.max where Self.exercise(decoder, [first, second, third]) { decoded += 1 }
            }
        }
        #expect(decoded > 0)
    }

    @Test(arguments: Decoder.allCases)
    func seededRandomPayloads(decoder: Decoder) {
        var generator = SeededGenerator(state: 0x00C0_FFEE ^ UInt64(decoder.rawValue.utf8.count))
        let sids: [UInt8] = [0x10, 0x50, 0x11, 0x51, 0x14, 0x54, 0x19, 0x59, 0x22, 0x62, 0x27, 0x67, 0x2E, 0x6E, 0x31,
            0x71, 0x3E, 0x7E, 0x85, 0xC5, 0x7F, 0x12, 0x52, 0x13, 0x53, 0x18, 0x58, 0x1A, 0x5A, 0x21, 0x61, 0x01,
            0x41, 0x02, 0x42, 0x03, 0x43, 0x07, 0x47, 0x0A, 0x4A, 0x04, 0x44, 0x09, 0x49]
        var decoded = 0
        for _ in 0..<200_000 {
            let count = Int.random(in: 0...40, using: &generator)
            var payload = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !payload.isEmpty, Bool.random(using: &generator) { payload[0] = sids.randomElement(using: &generator)! }
            if payload.count > 1, payload[0] == 0x59 || payload[0] == 0x19, Bool.random(using: &generator) {
                payload[1] = ReadDTCInformation.ReportType.all.randomElement(using: &generator)!.rawValue
            }
            if Self.exercise(decoder, payload) { decoded += 1 }
        }
        #expect(decoded > 1000)
    }
}

/// The protocol guess for `cardiag decode` without a hint: the highest score wins.
@Suite struct RecognitionScoreTests {
    @Test(arguments: [
        ("59 02 FF 95 C4 00 09", "uds"), ("7F 19 78", "uds"), ("50 03 00 32 01 F4", "uds"), ("14 FF FF FF", "uds"),
        ("22 F1 90", "uds"), ("53 01 03 35", "kwp"), ("13 B0", "kwp"), ("52 00 03 35 01 02", "kwp"), ("50 01", "kwp"),
        ("7F 12 12", "kwp"), ("18 00 FF 00", "kwp"), ("47 02 03 35 13 40", "obd"), ("43 00", "obd"),
        ("49 02 01 41", "obd"), ("7F 01 12", "obd"),
    ])
    func highestScoreNamesTheProtocol(payload: String, expected: String) {
        let input = bytes(payload)
        let scores = [("uds", UDSMessage.recognitionScore(of: input)), ("kwp", KWPMessage.recognitionScore(of: input)),
            ("obd", OBDMessage.recognitionScore(of: input))]
        let best = scores.max { $0.1 < $1.1 }!
        #expect(best.0 == expected)
        #expect(scores.filter { $0.1 == best.1 }.count == 1)
    }
}
