import DTC
import Testing

@Suite struct DTCCodeTests {
    @Test(arguments: [
        (UInt8(0x95), UInt8(0xC4), "B15C4"), (0xD1, 0x03, "U1103"), (0xC1, 0x00, "U0100"), (0x03, 0x35, "P0335"),
        (0x13, 0x40, "P1340"), (0x58, 0x12, "C1812"), (0x00, 0x00, "P0000"), (0xFF, 0xFF, "U3FFF"),
        (0xD1, 0x98, "U1198"), (0xC1, 0x98, "U0198"), (0x95, 0xA8, "B15A8"),
    ])
    func printsSAEText(high: UInt8, low: UInt8, text: String) throws {
        let code = DTCCode(high: high, low: low)
        #expect(code.description == text)
        #expect(DTCCode(text) == code)
        #expect(DTCCode(text.lowercased()) == code)
    }

    @Test func everyTwoByteValueRoundTripsThroughText() {
        for value in UInt16.min...UInt16.max {
            let code = DTCCode(rawValue: value)
            #expect(DTCCode(code.description) == code)
        }
    }

    @Test(arguments: ["", "B15C", "B15C44", "X15C4", "B45C4", "B15G4", "B15C4 "])
    func rejectsMalformedText(text: String) {
        #expect(DTCCode(text) == nil)
    }

    @Test(arguments: [
        ("P0335", false), ("P1340", true), ("P2002", false), ("P3000", true), ("P3400", false), ("B15C4", true),
        ("B2211", true), ("B0001", false), ("B3000", false), ("U1103", true), ("U0100", false), ("C1812", true),
    ])
    func knowsWhoDefinesTheMeaning(text: String, manufacturer: Bool) throws {
        #expect(try #require(DTCCode(text)).isManufacturerSpecific == manufacturer)
    }
}

@Suite struct DiagnosticTroubleCodeTests {
    @Test func printsBothToyotaStyles() {
        let dtc = DiagnosticTroubleCode(udsHigh: 0x95, middle: 0xA8, low: 0x04, status: [.testFailed, .confirmedDTC])
        #expect(dtc.compactText == "B15A804")
        #expect(dtc.hyphenatedText == "B15A8-04")
        #expect(dtc.udsValue == 0x95A804)
        #expect(dtc.failureType?.name == "system internal failure")
        #expect(DiagnosticTroubleCode(code: DTCCode(high: 0x03, low: 0x35)).compactText == "P0335")
    }

    @Test(arguments: ["B15A804", "B15A8-04", "b15a8 04"])
    func parsesEveryForm(text: String) throws {
        let dtc = try #require(DiagnosticTroubleCode(text))
        #expect(dtc.code.description == "B15A8")
        #expect(dtc.failureType == .systemInternalFailure)
    }

    @Test func failureTypesPrintNameOrHex() {
        #expect(FailureType.missingMessage.description == "87 (missing message)")
        #expect(FailureType.busOff.name == "bus off")
        #expect(FailureType(rawValue: 0xF3).description == "F3")
        #expect(FailureType(rawValue: 0xF3).isManufacturerSpecific)
        #expect(FailureType(rawValue: 0x13).categoryName == "General Electrical Failures")
    }
}

@Suite struct DTCStatusTests {
    @Test(arguments: [
        (UInt8(0x09), "current", "current, confirmed"), (0x08, "history", "history"), (0x28, "history", "history"),
        (0x04, "pending", "pending"), (0x2F, "current", "current, confirmed, pending"),
        (0x89, "current", "current, confirmed, MIL on"), (0x50, "stored", "stored, test not completed"),
        (0x00, "stored", "stored"),
    ])
    func summarisesForAMechanic(raw: UInt8, state: String, text: String) {
        let summary = DTCStatus(rawValue: raw).summary
        #expect(summary.state == state)
        #expect(summary.description == text)
    }

    @Test func namesEveryBit() {
        #expect(DTCStatus(rawValue: 0xFF).names.count == 8)
        #expect(DTCStatus(rawValue: 0x28).names == ["confirmedDTC", "testFailedSinceLastClear"])
    }
}

@Suite struct DTCPatternTests {
    @Test(arguments: [
        ("B15xx", "B15C4", true), ("B15xx", "B16C4", false), ("U11xx", "U1103-87", true), ("B15C4", "B15C4-64", true),
        ("B15C464", "B15C4-64", true), ("B15C464", "B15C4", false), ("U0100-U0164", "U0129-87", true),
        ("U0100-U0164", "U0198", false), ("u11XX", "U115C", true), ("Bxxxx", "C1234", false),
    ])
    func matches(pattern: String, dtc: String, expected: Bool) throws {
        let parsed = try #require(DTCPattern(pattern))
        #expect(parsed.matches(try #require(DiagnosticTroubleCode(dtc))) == expected)
    }

    @Test(arguments: ["", "B15", "xB15C4", "B4xxx", "U0164-U0100", "B15C4-6"])
    func rejects(pattern: String) {
        #expect(DTCPattern(pattern) == nil)
    }

    @Test func specificityOrdersExactBeforeFamily() throws {
        let exactWithType = try #require(DTCPattern("B15C464"))
        let exact = try #require(DTCPattern("B15C4"))
        let family = try #require(DTCPattern("B15xx"))
        let range = try #require(DTCPattern("B1500-B15FF"))
        #expect(exactWithType.specificity > exact.specificity)
        #expect(exact.specificity > family.specificity)
        #expect(family.specificity > range.specificity)
    }
}
