import CANCore
import Testing

@testable import SocketCAN

/// `struct can_frame` / `struct canfd_frame` bytes as the kernel lays them out on x86-64 (little-endian can_id).
@Suite struct KernelFrameCodecTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let frame: CANFrame
        let bytes: [UInt8]
        var testDescription: String { name }
    }

    static let classicCases: [Case] = [
        Case(
            name: "standard 7E8 with 8 bytes",
            frame: try! .classic(.standard(0x7E8)!, [0x10, 0x14, 0x59, 0x02, 0xFF, 0x01, 0x23, 0x45]),
            bytes: [0xE8, 0x07, 0x00, 0x00, 8, 0, 0, 0, 0x10, 0x14, 0x59, 0x02, 0xFF, 0x01, 0x23, 0x45]),
        Case(
            name: "extended 18DAF110 with 3 bytes",
            frame: try! .classic(.extended(0x18DA_F110)!, [0x02, 0x3E, 0x00]),
            bytes: [0x10, 0xF1, 0xDA, 0x98, 3, 0, 0, 0, 0x02, 0x3E, 0x00, 0, 0, 0, 0, 0]),
        Case(
            name: "empty standard 000",
            frame: try! .classic(.standard(0x000)!, []),
            bytes: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        Case(
            name: "remote frame 321 requesting 4",
            frame: try! CANFrame(id: .standard(0x321)!, kind: .remote(requestedLength: 4), data: []),
            bytes: [0x21, 0x03, 0x00, 0x40, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
        Case(
            name: "remote frame with raw DLC 12 (len 8, len8_dlc 12)",
            frame: try! CANFrame(id: .standard(0x100)!, kind: .remote(requestedLength: 12), data: []),
            bytes: [0x00, 0x01, 0x00, 0x40, 8, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0]),
        Case(
            name: "error frame bus-off + controller",
            frame: try! CANFrame(
                id: .extended(0x44)!, kind: .error([.busOff, .controller]), data: [0, 0x20, 0, 0, 0, 0, 0x80, 0x10]),
            bytes: [0x44, 0x00, 0x00, 0x20, 8, 0, 0, 0, 0, 0x20, 0, 0, 0, 0, 0x80, 0x10]),
    ]

    @Test(arguments: classicCases)
    func classicRoundTrip(_ testCase: Case) throws {
        #expect(KernelFrameCodec.encode(testCase.frame) == testCase.bytes)
        #expect(try KernelFrameCodec.decode(testCase.bytes) == testCase.frame)
    }

    @Test func fdFrameLayout() throws {
        let data = CANPayload((0..<12).map { UInt8($0) })!
        let frame = try CANFrame(id: .standard(0x123)!, kind: .fd([.bitRateSwitch]), data: data)
        let bytes = KernelFrameCodec.encode(frame)
        #expect(bytes.count == 72)
        #expect(Array(bytes[0..<8]) == [0x23, 0x01, 0x00, 0x00, 12, 0x01, 0, 0])
        #expect(Array(bytes[8..<20]) == (0..<12).map { UInt8($0) })
        #expect(bytes[20...].allSatisfy { $0 == 0 })
        #expect(try KernelFrameCodec.decode(bytes) == frame)
    }

    @Test func fdFrameFromNewerKernelKeepsFDFMarker() throws {
        var bytes = [UInt8](repeating: 0, count: 72)
        bytes[0] = 0x23
        bytes[1] = 0x01
        bytes[4] = 2
        bytes[5] = 0x05  // BRS | FDF
        bytes[8] = 0xAA
        bytes[9] = 0xBB
        let frame = try KernelFrameCodec.decode(bytes)
        #expect(frame.kind == .fd([.bitRateSwitch, .fdFormat]))
        #expect(frame.data == [0xAA, 0xBB])
        // Sending clears FDF: it is the kernel's marker, not a sender's flag.
        #expect(KernelFrameCodec.encode(frame)[5] == 0x01)
    }

    @Test(arguments: [
        ([UInt8](repeating: 0, count: 15), KernelFrameError.unexpectedSize(15)),
        ([0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], KernelFrameError.invalidLength(9, fd: false)),
        ([0, 0, 0, 0, 13] + [UInt8](repeating: 0, count: 67), KernelFrameError.invalidLength(13, fd: true)),
    ])
    func rejectsMalformed(_ bytes: [UInt8], _ expected: KernelFrameError) {
        #expect(throws: expected) { try KernelFrameCodec.decode(bytes) }
    }

    @Test func filterWordsCarryFormatAndRemoteFlags() {
        let standard = CANFilter.exactly(.standard(0x7E8)!).kernelWords
        #expect(standard.id == 0x7E8)
        #expect(standard.mask == 0xC000_07FF)
        let extended = CANFilter(id: .extended(0x18DA_F100)!, mask: 0x1FFF_FF00).kernelWords
        #expect(extended.id == 0x98DA_F100)
        #expect(extended.mask == 0xDFFF_FF00)
        let inverted = CANFilter(id: .standard(0x123)!, isInverted: true).kernelWords
        #expect(inverted.id == 0x2000_0123)
    }
}
