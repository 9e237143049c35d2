import CANCore
import Testing

@testable import SocketCAN

/// Error frames as drivers send them (class bits in the id, details in the data; linux/can/error.h).
@Suite struct CANErrorReportTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let classes: UInt32
        let data: [UInt8]
        let busState: CANBusState?
        let description: String
        var testDescription: String { description }
    }

    static let cases: [Case] = [
        Case(
            classes: 0x0040, data: [0, 0, 0, 0, 0, 0, 0, 0], busState: .busOff,
            description: "bus-off: the controller stopped sending after too many errors"),
        Case(
            classes: 0x0204, data: [0, 0x20, 0, 0, 0, 0, 136, 0], busState: .errorPassive,
            description: "error-passive (tx); tx errors 136, rx errors 0"),
        Case(
            classes: 0x0204, data: [0, 0x04, 0, 0, 0, 0, 0, 97], busState: .errorWarning,
            description: "error-warning (rx); tx errors 0, rx errors 97"),
        Case(
            classes: 0x0020, data: [0, 0, 0, 0, 0, 0, 0, 0], busState: nil,
            description: "no ACK: no other node acknowledged (wrong bitrate, or nothing else on the bus)"),
        Case(
            classes: 0x0002, data: [5, 0, 0, 0, 0, 0, 0, 0], busState: nil, description: "lost arbitration at bit 5"),
        Case(
            classes: 0x0088, data: [0, 0, 0x84, 0x19, 0, 0, 0, 0], busState: nil,
            description: "protocol violation stuff+on-tx at ACK slot"),
        Case(
            classes: 0x0088, data: [0, 0, 0x02, 0x77, 0, 0, 0, 0], busState: nil,
            description: "protocol violation form at location 0x77"),
        Case(
            classes: 0x0004, data: [0, 0x01, 0, 0, 0, 0, 0, 0], busState: nil, description: "receive buffer overflow"),
        Case(
            classes: 0x0010, data: [0, 0, 0, 0, 0x04, 0, 0, 0], busState: nil,
            description: "transceiver problem 0x04"),
        Case(
            classes: 0x0100, data: [0, 0, 0, 0, 0, 0, 0, 0], busState: .errorActive,
            description: "controller restarted"),
        Case(
            classes: 0x0004, data: [0, 0x40, 0, 0, 0, 0, 0, 0], busState: .errorActive,
            description: "back to error-active"),
        Case(
            classes: 0x0001, data: [0, 0, 0, 0, 0, 0, 0, 0], busState: nil, description: "transmit timeout"),
    ]

    @Test(arguments: cases)
    func decodes(_ testCase: Case) throws {
        let frame = try CANFrame(
            id: .extended(testCase.classes)!, kind: .error(CANErrorClass(rawValue: testCase.classes)),
            data: CANPayload(testCase.data)!)
        let report = try #require(CANErrorReport(frame))
        #expect(report.busState == testCase.busState)
        #expect(report.description == testCase.description)
    }

    @Test func dataFramesAreNotErrorReports() throws {
        #expect(CANErrorReport(try .classic(.standard(0x040)!, [0x40])) == nil)
    }

    @Test func decodesFromKernelBytes() throws {
        // As read from a socket with CAN_RAW_ERR_FILTER: bus-off + controller (tx passive) + counters.
        let frame = try KernelFrameCodec.decode([0x44, 0x02, 0x00, 0x20, 8, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0x80, 0x10])
        let report = try #require(CANErrorReport(frame))
        #expect(report.classes == [.busOff, .controller, .counters])
        #expect(report.controller == [.transmitPassive])
        #expect(report.errorCounters?.transmit == 128)
        #expect(report.errorCounters?.receive == 16)
        #expect(report.busState == .busOff)
    }
}
