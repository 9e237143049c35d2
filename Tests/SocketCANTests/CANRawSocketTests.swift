import CANCore
import Testing

@testable import SocketCAN

#if canImport(Glibc)
    import Glibc
#endif

/// The raw socket's send and receive paths on a host without CAN: one end of an AF_UNIX SOCK_SEQPACKET pair stands
/// in for the CAN socket (it keeps record boundaries, as CAN_RAW does), the other end plays the kernel.
@Suite struct CANRawSocketTests {
    /// A socket pair: `ours` is adopted by a CANRawSocket, `kernel` is where the test reads and writes.
    struct Pair {
        let ours: Int32
        let kernel: Int32

        init() throws {
            var descriptors: [Int32] = [0, 0]
            let status = socketpair(
                AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0, &descriptors)
            try #require(status == 0)
            ours = descriptors[0]
            kernel = descriptors[1]
        }

        func kernelWrites(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { write(kernel, $0.baseAddress, $0.count) }
        }

        func kernelReads() -> [UInt8] {
            var buffer = [UInt8](repeating: 0, count: 128)
            let count = buffer.withUnsafeMutableBytes { read(kernel, $0.baseAddress, $0.count) }
            return count > 0 ? Array(buffer[0..<count]) : []
        }
    }

    @Test func openingOnAHostWithoutCANSaysSo() throws {
        // This host's kernel has no PF_CAN; where it does (a CAN-enabled developer machine), the name is unknown.
        let error = #expect(throws: SocketCANError.self) {
            try CANRawSocket(interface: "cardiagtest9")
        }
        let code = try #require(error?.code)
        #expect(code == .noCANSupport || code == .noSuchInterface)
        if code == .noCANSupport {
            #expect(error?.description.hasPrefix("no CAN support in this kernel (modprobe can-raw)") == true)
        }
    }

    @Test func injectedSocketErrorsAreMapped() {
        let calls = SystemCalls(injector: ScriptedErrnoInjector([.socket: [.notPermitted]]))
        #expect(throws: SocketCANError(.notPermitted, interface: "can0")) {
            try CANRawSocket(interface: "can0", options: .init(), systemCalls: calls)
        }
    }

    @Test func isoTPProbeReportsMissingSupport() {
        let calls = SystemCalls(injector: ScriptedErrnoInjector([.socket: [.protocolNotSupported]]))
        #expect(KernelISOTPSocket.probe(systemCalls: calls)?.code == .noISOTPSupport)
        let noCAN = SystemCalls(injector: ScriptedErrnoInjector([.socket: [.addressFamilyNotSupported]]))
        #expect(KernelISOTPSocket.probe(systemCalls: noCAN)?.code == .noCANSupport)
    }

    @Test func sendWritesTheKernelLayout() async throws {
        let pair = try Pair()
        let socket = try CANRawSocket(adopting: pair.ours, name: "can0", options: .init(), systemCalls: .live)
        defer { socket.close() }
        try await socket.send(try .classic(.standard(0x7DF)!, [0x02, 0x01, 0x00]))
        #expect(pair.kernelReads() == [0xDF, 0x07, 0, 0, 3, 0, 0, 0, 0x02, 0x01, 0x00, 0, 0, 0, 0, 0])
    }

    @Test func sendWaitsOutAFullTransmitQueue() async throws {
        let pair = try Pair()
        let injector = ScriptedErrnoInjector([.write: [.noBufferSpace, .interrupted, .noBufferSpace, .wouldBlock]])
        // A generous queue timeout: the backoff sleeps are real, and CPU-bound tests running beside this one
        // (under a sanitizer, minutes long) can hold the cooperative pool, so the sleeps resume late.
        let socket = try CANRawSocket(
            adopting: pair.ours, name: "can0", options: .init(transmitQueueTimeout: .seconds(3600)),
            systemCalls: SystemCalls(injector: injector))
        defer { socket.close() }
        try await socket.send(try .classic(.standard(0x123)!, [0xAA]))
        #expect(pair.kernelReads() == [0x23, 0x01, 0, 0, 1, 0, 0, 0, 0xAA, 0, 0, 0, 0, 0, 0, 0])
        #expect(injector.log.filter { $0 == .write }.count == 5)
    }

    @Test func sendGivesUpAfterTheQueueTimeout() async throws {
        let pair = try Pair()
        let injector = ScriptedErrnoInjector([.write: Array(repeating: .noBufferSpace, count: 10_000)])
        let socket = try CANRawSocket(
            adopting: pair.ours, name: "can0", options: .init(transmitQueueTimeout: .zero),
            systemCalls: SystemCalls(injector: injector))
        defer { socket.close() }
        await #expect(throws: SocketCANError(.transmitQueueFull, interface: "can0")) {
            try await socket.send(try .classic(.standard(0x123)!, [0xAA]))
        }
    }

    @Test(arguments: [
        (Errno.networkDown, SocketCANError.Code.interfaceDown),
        (Errno.noDevice, SocketCANError.Code.adapterRemoved),
        (Errno.notPermitted, SocketCANError.Code.notPermitted),
    ])
    func sendFailuresAreMapped(_ errno: Errno, _ code: SocketCANError.Code) async throws {
        let pair = try Pair()
        let socket = try CANRawSocket(
            adopting: pair.ours, name: "can1", options: .init(),
            systemCalls: SystemCalls(injector: ScriptedErrnoInjector([.write: [errno]])))
        defer { socket.close() }
        await #expect(throws: SocketCANError(code, interface: "can1")) {
            try await socket.send(try .classic(.standard(0x123)!, [0xAA]))
        }
    }

    @Test func fdFrameNeedsFDOption() async throws {
        let pair = try Pair()
        let socket = try CANRawSocket(adopting: pair.ours, name: "can0", options: .init(), systemCalls: .live)
        defer { socket.close() }
        let frame = try CANFrame(id: .standard(0x123)!, kind: .fd([]), data: CANPayload(repeating: 1, count: 12))
        await #expect(throws: SocketCANError(.frameNotSupported, interface: "can0")) { try await socket.send(frame) }
    }

    @Test func receivesFramesInOrderOnEverySubscription() async throws {
        let pair = try Pair()
        let socket = try CANRawSocket(adopting: pair.ours, name: "can0", options: .init(), systemCalls: .live)
        defer { socket.close() }
        let first = socket.receivedFrames()
        let second = socket.receivedFrames()
        let frames = [
            try CANFrame.classic(.standard(0x7E8)!, [0x03, 0x41, 0x00, 0xBE]),
            try CANFrame.classic(.extended(0x18DA_F110)!, [0x02, 0x7E, 0x00]),
            try CANFrame(id: .standard(0x123)!, kind: .fd([.bitRateSwitch]), data: CANPayload(repeating: 7, count: 16)),
        ]
        for frame in frames { pair.kernelWrites(KernelFrameCodec.encode(frame)) }
        for stream in [first, second] {
            var received: [CANFrame] = []
            for try await frame in stream {
                received.append(frame)
                if received.count == frames.count { break }
            }
            #expect(received.map(\.interface) == ["can0", "can0", "can0"])
            #expect(
                received.map {
                    CANFrame(unchecked: $0.id, kind: $0.kind, data: $0.data, timestamp: nil, interface: nil)
                } == frames)
        }
    }

    @Test(arguments: [
        (Errno.noDevice, SocketCANError.Code.adapterRemoved),
        (Errno.networkDown, SocketCANError.Code.interfaceDown),
    ])
    func receiveEndsWithTheDocumentedError(_ errno: Errno, _ code: SocketCANError.Code) async throws {
        let pair = try Pair()
        // The first read succeeds, the second fails as when the adapter is unplugged or the link goes down.
        let injector = ScriptedErrnoInjector([.recvmsg: [nil, errno]])
        let socket = try CANRawSocket(
            adopting: pair.ours, name: "can0", options: .init(), systemCalls: SystemCalls(injector: injector))
        defer { socket.close() }
        let stream = socket.receivedFrames()
        pair.kernelWrites(KernelFrameCodec.encode(try .classic(.standard(0x100)!, [1])))
        var received: [CANFrame] = []
        await #expect(throws: SocketCANError(code, interface: "can0")) {
            for try await frame in stream { received.append(frame) }
        }
        #expect(received.map(\.id) == [.standard(0x100)!])
        // A later subscription learns the same error at once instead of hanging.
        await #expect(throws: SocketCANError(code, interface: "can0")) {
            for try await _ in socket.receivedFrames() {}
        }
    }

    @Test func closeEndsSubscriptionsNormally() async throws {
        let pair = try Pair()
        let socket = try CANRawSocket(adopting: pair.ours, name: "can0", options: .init(), systemCalls: .live)
        let stream = socket.receivedFrames()
        socket.close()
        var count = 0
        for try await _ in stream { count += 1 }
        #expect(count == 0)
        await #expect(throws: SocketCANError(.closed, interface: "can0")) {
            try await socket.send(try .classic(.standard(0x1)!, []))
        }
    }
}
