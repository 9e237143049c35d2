import Testing

@testable import SocketCAN

#if canImport(Glibc)
    import Glibc
#endif

/// The syscall funnel: errno read at once, EINTR retried, errors injectable.
@Suite struct SystemCallsTests {
    @Test func retriesInjectedInterruptsThenMakesTheRealCall() throws {
        let injector = ScriptedErrnoInjector([.write: [.interrupted, .interrupted]])
        let calls = SystemCalls(injector: injector)
        var realCalls = 0
        let result = try calls.call(.write) {
            realCalls += 1
            return 16
        }
        #expect(result == 16)
        #expect(realCalls == 1)
        #expect(injector.log == [.write, .write, .write])
    }

    @Test func retriesARealEINTR() throws {
        var attempts = 0
        let result = try SystemCalls.live.call(.read) { () -> Int in
            attempts += 1
            if attempts < 3 {
                errno = EINTR
                return -1
            }
            return 7
        }
        #expect(result == 7)
        #expect(attempts == 3)
    }

    @Test func reportsTheErrnoOfTheFailedCall() {
        #expect(throws: SystemCallFailure(call: .bind, errno: .noDevice)) {
            try SystemCalls.live.call(.bind) { () -> Int32 in
                errno = ENODEV
                return -1
            }
        }
    }

    @Test func libraryCallsReturningNegativeErrno() {
        #expect(throws: SystemCallFailure(call: .linkQuery, errno: .notPermitted)) {
            try SystemCalls.live.callReturningNegativeErrno(.linkQuery) { -EPERM }
        }
        #expect(throws: SystemCallFailure(call: .linkConfigure, errno: .busy)) {
            try SystemCalls.live.callReturningNegativeErrno(.linkConfigure) {
                errno = EBUSY
                return -1
            }
        }
    }

    struct Mapping: CustomTestStringConvertible, Sendable {
        let call: SystemCallName
        let errno: Errno
        let operation: String
        let code: SocketCANError.Code
        let message: String
        var testDescription: String { "\(call) \(errno.rawValue) → \(code)" }
    }

    static let mappings: [Mapping] = [
        Mapping(
            call: .socket, errno: .addressFamilyNotSupported, operation: "open a raw CAN socket", code: .noCANSupport,
            message: "no CAN support in this kernel (modprobe can-raw)"),
        Mapping(
            call: .socket, errno: .protocolNotSupported, operation: "open an ISO-TP socket", code: .noISOTPSupport,
            message: "no ISO-TP support in this kernel (modprobe can-isotp"),
        Mapping(
            call: .interfaceIndex, errno: .noDevice, operation: "bind", code: .noSuchInterface,
            message: "no such interface can3 (`cardiag adapters` lists them)"),
        Mapping(
            call: .recvmsg, errno: .noDevice, operation: "receive frames", code: .adapterRemoved,
            message: "can3 went away: the adapter was unplugged"),
        Mapping(
            call: .write, errno: .networkDown, operation: "send a frame", code: .interfaceDown,
            message: "can3 is down: run `cardiag link can3 --bitrate 500000 --up` (needs CAP_NET_ADMIN)"),
        Mapping(
            call: .linkConfigure, errno: .notPermitted, operation: "set the bitrate", code: .notPermitted,
            message: "needs root or CAP_NET_ADMIN"),
        Mapping(
            call: .write, errno: .noBufferSpace, operation: "send a frame", code: .transmitQueueFull,
            message: "no other node acknowledges"),
        Mapping(
            call: .read, errno: .communicationError, operation: "receive an ISO-TP message", code: .isoTPProtocolError,
            message: "ISO-TP transfer on can3 failed"),
        Mapping(
            call: .write, errno: .invalidArgument, operation: "send a frame", code: .frameNotSupported,
            message: "CAN FD on a classic CAN interface"),
        Mapping(
            call: .linkConfigure, errno: .busy, operation: "set the bitrate", code: .busy,
            message: "`cardiag link can3 --down`"),
    ]

    @Test(arguments: mappings)
    func mapsErrnoToTheDocumentedError(_ mapping: Mapping) {
        let error = SocketCANError(
            SystemCallFailure(call: mapping.call, errno: mapping.errno), interface: "can3", operation: mapping.operation
        )
        #expect(error.code == mapping.code)
        #expect(error == SocketCANError(mapping.code, interface: "can3"))
        #expect(error.description.contains(mapping.message))
        #expect(error.description.contains(mapping.operation))
    }
}
