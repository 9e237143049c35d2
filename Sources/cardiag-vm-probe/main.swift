import CANCore
import ISOTP
import SocketCAN

// cardiag-vm-probe: a small test-only tool the VM test tier (Tests/vm/run-in-guest) drives against can-utils on a
// real kernel CAN stack. Not installed, not part of cardiag; `cardiag dump`/`send` will replace most of it.
//
//   cardiag-vm-probe send IFACE FRAME...                  frames as candump writes them: 123#11223344, 1234ABCD#,
//                                                          123#R, 123##1AABBCC (FD, flags nibble 1 = BRS)
//   cardiag-vm-probe receive IFACE COUNT [--errors] [--timeout SECONDS] [--fd] [--filter ID[:MASK]]
//                                                          prints COUNT frames as `candump -L` lines
//   cardiag-vm-probe isotp-send IFACE TXID RXID [--ext ADDR] [--pad BYTE] [--fd] HEX
//   cardiag-vm-probe isotp-receive IFACE TXID RXID [--ext ADDR] [--bs N] [--stmin MS] [--timeout SECONDS] [--fd]
//   cardiag-vm-probe isotp-supported
//   cardiag-vm-probe uisotp-send IFACE TXID RXID [--ext ADDR] [--timeout SECONDS] HEX
//   cardiag-vm-probe uisotp-receive IFACE TXID RXID [--ext ADDR] [--bs N] [--stmin MS] [--timeout SECONDS]
//                                                          the same with our user-space ISOTPChannel on a raw
//                                                          socket; the receiver asks for block size N and STmin
//
// Exit status: 0 success, 2 timeout, 3 a SocketCANError (its description on stderr), 4 an ISO-TP error, 64 usage.
#if canImport(Glibc)
    import Glibc
#endif

func fail(_ status: Int32, _ message: String) -> Never {
    FileDescriptorOutput.error(message)
    exit(status)
}

enum FileDescriptorOutput {
    static func line(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
    }
    static func error(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}

/// Parses one frame in candump's compact notation.
func parseFrame(_ text: String) -> CANFrame? {
    let parts = text.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
    guard parts.count == 2, let value = UInt32(parts[0], radix: 16) else { return nil }
    let id = parts[0].count > 3 ? CANIdentifier.extended(value) : CANIdentifier.standard(value)
    guard let id else { return nil }
    var rest = Substring(parts[1])
    if rest.hasPrefix("#") {
        rest = rest.dropFirst()
        guard let flagDigit = rest.first.flatMap({ Hex.value(ofDigit: UInt8(ascii: $0.unicodeScalars.first!)) }),
            let bytes = Hex.bytes(String(rest.dropFirst())), let payload = CANPayload(bytes)
        else { return nil }
        return try? CANFrame(id: id, kind: .fd(CANFDFlags(rawValue: flagDigit)), data: payload)
    }
    if rest.hasPrefix("R") {
        let length = rest.dropFirst().first.flatMap { UInt8(String($0), radix: 16) } ?? 0
        return try? CANFrame(id: id, kind: .remote(requestedLength: length), data: CANPayload())
    }
    guard let bytes = Hex.bytes(String(rest)) else { return nil }
    return try? CANFrame.classic(id, bytes)
}

/// One frame as a `candump -L` line: "(1700000000.123456) can0 123#11223344".
func candumpLine(_ frame: CANFrame) -> String {
    var time = "(0.000000)"
    if let timestamp = frame.timestamp {
        let (seconds, attoseconds) = timestamp.components
        let micro = String(attoseconds / 1_000_000_000_000)
        time = "(\(seconds).\(String(repeating: "0", count: 6 - micro.count))\(micro))"
    }
    let body: String
    switch frame.kind {
    case .classic: body = "\(frame.id)#" + Hex.compact(frame.data)
    case .fd(let flags): body = "\(frame.id)##" + Hex.string(flags.rawValue & 0x0F, digits: 1) + Hex.compact(frame.data)
    case .remote(let length): body = "\(frame.id)#R" + (length == 0 ? "" : Hex.string(length, digits: 1))
    case .error: body = Hex.string(frame.id.value | 0x2000_0000, digits: 8) + "#" + Hex.compact(frame.data)
    }
    return "\(time) \(frame.interface ?? "?") \(body)"
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

func hexByte(_ text: String?) -> UInt8? {
    guard let text else { return nil }
    return UInt8(text.hasPrefix("0x") ? String(text.dropFirst(2)) : text, radix: 16)
}

func identifier(_ text: String) -> CANIdentifier {
    guard let value = UInt32(text, radix: 16),
        let id = text.count > 3 ? CANIdentifier.extended(value) : CANIdentifier.standard(value)
    else { fail(64, "bad CAN id \(text)") }
    return id
}

/// Runs `body`, failing with status 2 after `seconds`.
func withTimeout<Value: Sendable>(_ seconds: Int, _ body: @escaping @Sendable () async throws -> Value) async throws
    -> Value
{
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        guard let first = try await group.next(), let value = first else { fail(2, "timeout after \(seconds) s") }
        group.cancelAll()
        return value
    }
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { fail(64, "usage: cardiag-vm-probe send|receive|isotp-send|isotp-receive") }
let timeout = option("--timeout", in: arguments).flatMap { Int($0) } ?? 10
let useFD = arguments.contains("--fd")

do {
    switch command {
    case "send":
        guard arguments.count >= 3 else { fail(64, "usage: send IFACE FRAME...") }
        let socket = try CANRawSocket(interface: arguments[1], options: .init(fdFrames: useFD))
        for text in arguments[2...] where !text.hasPrefix("--") {
            guard let frame = parseFrame(text) else { fail(64, "bad frame \(text)") }
            try await socket.send(frame)
        }
    case "receive":
        guard arguments.count >= 3, let count = Int(arguments[2]) else { fail(64, "usage: receive IFACE COUNT") }
        var filters: [CANFilter]?
        if let text = option("--filter", in: arguments) {
            let parts = text.split(separator: ":")
            filters = [
                CANFilter(id: identifier(String(parts[0])), mask: parts.count > 1 ? UInt32(parts[1], radix: 16) : nil)
            ]
        }
        let socket = try CANRawSocket(
            interface: arguments[1],
            options: .init(fdFrames: useFD, filters: filters, errorClasses: arguments.contains("--errors") ? .all : []))
        // Readiness marker for the test script: the socket is bound, frames sent from now on are seen.
        FileDescriptorOutput.error("ready")
        try await withTimeout(timeout) {
            var seen = 0
            for try await frame in socket.receivedFrames() {
                FileDescriptorOutput.line(candumpLine(frame))
                if let report = CANErrorReport(frame) { FileDescriptorOutput.line("# \(report)") }
                seen += 1
                if seen == count { break }
            }
        }
    case "isotp-send", "isotp-receive":
        guard arguments.count >= 4 else { fail(64, "usage: \(command) IFACE TXID RXID ...") }
        let options = KernelISOTPSocket.Options(
            extendedAddress: hexByte(option("--ext", in: arguments)),
            transmitPadding: hexByte(option("--pad", in: arguments)),
            blockSize: option("--bs", in: arguments).flatMap { UInt8($0) } ?? 0,
            separationTimeMinimum: .milliseconds(option("--stmin", in: arguments).flatMap { Int($0) } ?? 0),
            linkLayer: useFD ? .fd(dataLength: 64, bitRateSwitch: false) : .classic)
        let socket = try KernelISOTPSocket(
            interface: arguments[1], transmitID: identifier(arguments[2]), receiveID: identifier(arguments[3]),
            options: options)
        if command == "isotp-send" {
            // The message is the last argument, after any options.
            guard arguments.count >= 5, let message = arguments.last.flatMap(Hex.bytes) else { fail(64, "bad message") }
            try await socket.send(message)
        } else {
            FileDescriptorOutput.error("ready")
            let message = try await withTimeout(timeout) { try await socket.receive() }
            FileDescriptorOutput.line(Hex.spaced(message))
        }
    case "uisotp-send", "uisotp-receive":
        guard arguments.count >= 4 else { fail(64, "usage: \(command) IFACE TXID RXID ...") }
        let transmitID = identifier(arguments[2])
        let receiveID = identifier(arguments[3])
        let address: ISOTPAddress =
            if let ext = hexByte(option("--ext", in: arguments)) {
                .extended(transmitID: transmitID, receiveID: receiveID, targetAddress: ext, sourceAddress: ext)
            } else {
                .normal(transmitID: transmitID, receiveID: receiveID)
            }
        let blockSize = option("--bs", in: arguments).flatMap { UInt8($0) } ?? 0
        let separationTime = option("--stmin", in: arguments).flatMap { UInt8($0) } ?? 0
        let socket = try CANRawSocket(interface: arguments[1])
        let channel = ISOTPChannel(
            transport: socket, clock: ContinuousClock(),
            sender: ISOTPSegmenter.Configuration(address: address),
            receiver: ISOTPReassembler.Configuration(
                address: address, blockSize: blockSize, separationTime: ISOTPSeparationTime(rawValue: separationTime)))
        if command == "uisotp-send" {
            guard arguments.count >= 5, let message = arguments.last.flatMap(Hex.bytes) else { fail(64, "bad message") }
            do {
                try await withTimeout(timeout) { try await channel.send(message) }
            } catch {
                fail(4, "\(error)")
            }
        } else {
            FileDescriptorOutput.error("ready")
            do {
                let message = try await withTimeout(timeout) { try await channel.receive() }
                FileDescriptorOutput.line(Hex.spaced(message))
            } catch {
                fail(4, "\(error)")
            }
        }
        await channel.close()
        socket.close()
    case "isotp-supported":
        FileDescriptorOutput.line(KernelISOTPSocket.isSupported() ? "yes" : "no")
    default:
        fail(64, "unknown command \(command)")
    }
} catch let error as SocketCANError {
    fail(3, "\(error)")
}
