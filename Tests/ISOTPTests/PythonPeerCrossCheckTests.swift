import CANCore
import Foundation
import ISOTP
import Testing
import TestSupport

/// Cross-check against python can-isotp, an implementation nobody here wrote: its receiver reassembles what
/// our segmenter sends, and our reassembler reassembles what its segmenter sends, for every addressing mode,
/// several paddings and CAN FD sizes, payloads across the SF/FF boundaries and past 4095 bytes.
///
/// Needs `.build/python-venv` (`make python-peers`). Skipped when it is missing, unless `CI` is `true`.
@Suite struct PythonPeerCrossCheckTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let python = packageRoot.appendingPathComponent(".build/python-venv/bin/python")
    static let script = packageRoot.appendingPathComponent("Tools/python-peers/isotp_peer.py")
    static let venvPresent = FileManager.default.isExecutableFile(atPath: python.path)
    static let required = ProcessInfo.processInfo.environment["CI"] == "true"

    static let formats: [ISOTPFrameFormat] = [
        .classic(), .classic(paddingByte: nil), .classic(paddingByte: 0x00),
        // Every CAN FD data length above 8 (ISO 11898-1 DLC 9-15), and 8 itself in an FD link.
        .fd(transmitDataLength: 8), .fd(transmitDataLength: 12, paddingByte: 0xAA), .fd(transmitDataLength: 16),
        .fd(transmitDataLength: 20, paddingByte: nil), .fd(transmitDataLength: 24), .fd(transmitDataLength: 32),
        .fd(transmitDataLength: 48, paddingByte: 0x00), .fd(transmitDataLength: 64, paddingByte: nil),
    ]
    static let lengths = [
        1, 2, 5, 6, 7, 8, 9, 10, 11, 12, 13, 29, 30, 31, 32, 60, 61, 62, 63, 64, 100, 4095, 4096, 5000,
    ]

    static func message(_ length: Int, salt: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 13 &+ length &+ salt) }
    }

    /// can-isotp options for a layer whose own view of the link is `address`.
    static func options(_ address: ISOTPAddress, _ format: ISOTPFrameFormat) -> String {
        let tx = address.transmitID
        let width = tx.isExtended ? "29" : "11"
        func hex(_ value: UInt32) -> String { String(value, radix: 16, uppercase: true) }
        var words: [String]
        switch address.addressing {
        case .normal:
            words = ["--mode", "normal\(width)", "--txid", hex(tx.value), "--rxid", hex(address.receiveID.value)]
        case .normalFixed:
            words = [
                "--mode", "normalfixed29", "--target-address", hex(tx.value >> 8 & 0xFF), "--source-address",
                hex(tx.value & 0xFF),
            ]
        case .extended:
            words = [
                "--mode", "extended\(width)", "--txid", hex(tx.value), "--rxid", hex(address.receiveID.value),
                "--target-address", hex(UInt32(address.transmitAddressExtension!)),
                "--source-address", hex(UInt32(address.receiveAddressExtension!)),
            ]
        case .mixed where tx.isExtended:
            words = [
                "--mode", "mixed29", "--target-address", hex(tx.value >> 8 & 0xFF), "--source-address",
                hex(tx.value & 0xFF),
                "--address-extension", hex(UInt32(address.transmitAddressExtension!)),
            ]
        case .mixed:
            words = [
                "--mode", "mixed11", "--txid", hex(tx.value), "--rxid", hex(address.receiveID.value),
                "--address-extension", hex(UInt32(address.transmitAddressExtension!)),
            ]
        }
        words += [
            "--tx-dl", "\(format.transmitDataLength)", "--padding",
            format.paddingByte.map { Hex.string($0, digits: 2) } ?? "none",
        ]
        if format.isFD { words.append("--fd") }
        return words.joined(separator: " ")
    }

    /// Runs the peer script with `input` on stdin; returns its output split into `@` sections.
    static func runPeer(_ command: String, input: String) throws -> [(header: String, lines: [Substring])] {
        let inputFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "isotp-peer-\(UUID().uuidString).txt")
        try input.write(to: inputFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: inputFile) }
        let run = try CommandRun(python, [script.path, command], standardInput: inputFile)
        #expect(run.status == 0, "isotp_peer.py \(command) failed: \(run.stderr)")
        var sections: [(header: String, lines: [Substring])] = []
        for line in run.stdout.split(whereSeparator: \.isNewline) {
            if line.hasPrefix("@") {
                sections.append((String(line), []))
            } else if !sections.isEmpty {
                sections[sections.count - 1].lines.append(line)
            }
        }
        return sections
    }

    static var cases: [(name: String, address: ISOTPAddress, format: ISOTPFrameFormat)] {
        testerAddresses.flatMap { name, address in formats.map { (name, address, $0) } }
    }

    /// True when the venv is there; records a failure when it is not (the test only runs then when CI=true).
    static func venvReady() -> Bool {
        if !venvPresent { Issue.record("CI=true but \(python.path) is missing: run `make python-peers`") }
        return venvPresent
    }

    @Test(
        .enabled(
            if: venvPresent || required, "python can-isotp venv missing (.build/python-venv): run `make python-peers`"))
    func canIsoTPReassemblesWhatWeSend() throws {
        guard Self.venvReady() else { return }
        var input = ""
        for (_, address, format) in Self.cases {
            input += "@ " + Self.options(address.reversed, format) + "\n"
            for length in Self.lengths {
                let message = Self.message(length, salt: 1)
                var sender = ISOTPSegmenter(configuration: .init(address: address, format: format))
                // can-isotp receives with BS 0 and STmin 0, so it answers a first frame with one CTS.
                let flowControl = CANFrame(
                    unchecked: address.receiveID, kind: format.isFD ? .fd([]) : .classic,
                    data: ISOTPFrame.flowControl(ISOTPFlowControl(status: .continueToSend))
                        .encoded(addressExtension: address.receiveAddressExtension, format: format),
                    timestamp: nil, interface: nil)
                var action = try sender.send(message, at: .zero)
                while case .transmit(let frame, _) = action {
                    input += candump(frame) + "\n"
                    action = sender.transmitConfirmed(at: .zero)
                    if case .awaitFlowControl = action { action = sender.receive(flowControl, at: .zero) }
                }
                #expect(action == .completed)
            }
        }
        let sections = try Self.runPeer("receive", input: input)
        #expect(sections.count == Self.cases.count)
        for ((name, address, format), section) in zip(Self.cases, sections) {
            let context = "\(name), \(format)"
            #expect(
                section.lines.filter { $0.hasPrefix("ERR") }.isEmpty,
                "\(context): \(section.lines.filter { $0.hasPrefix("ERR") })")
            let messages = section.lines.filter { $0.hasPrefix("MSG ") }.map {
                Hex.bytes(String($0.dropFirst(4))) ?? []
            }
            #expect(messages == Self.lengths.map { Self.message($0, salt: 1) }, "\(context)")
            // Its flow control must be addressed to us and decode as CTS.
            let flowControls = section.lines.filter { $0.hasPrefix("FC ") }.compactMap { parseCandump($0.dropFirst(3)) }
            let segmented = Self.lengths.filter {
                $0 > format.singleFrameCapacity(addressBytes: address.addressByteCount)
            }
            #expect(flowControls.count == segmented.count, "\(context)")
            for frame in flowControls {
                #expect(address.accepts(frame), "\(context): \(candump(frame))")
                let pdu = try? ISOTPFrame(decoding: frame.data, addressBytes: address.addressByteCount)
                #expect(pdu == .flowControl(ISOTPFlowControl(status: .continueToSend)), "\(context): \(candump(frame))")
            }
        }
    }

    @Test(
        .enabled(
            if: venvPresent || required, "python can-isotp venv missing (.build/python-venv): run `make python-peers`"))
    func weReassembleWhatCanIsoTPSends() throws {
        guard Self.venvReady() else { return }
        var input = ""
        for (_, address, format) in Self.cases {
            // can-isotp is the ECU: its view of the link is our tester's, reversed.
            input += "@ " + Self.options(address.reversed, format) + "\n"
            for length in Self.lengths { input += Hex.compact(Self.message(length, salt: 2)) + "\n" }
        }
        let sections = try Self.runPeer("send", input: input)
        #expect(sections.count == Self.cases.count)
        for ((name, address, format), section) in zip(Self.cases, sections) {
            let context = "\(name), \(format)"
            var checked = format
            checked.checksReceivedPadding = true
            var receiver = ISOTPReassembler(
                configuration: .init(address: address, format: checked, maximumMessageLength: 1 << 16))
            var delivered: [[UInt8]] = []
            for line in section.lines {
                if line.hasPrefix("ERR") { Issue.record("\(context): \(line)") }
                guard line.hasPrefix("TX "), let frame = parseCandump(line.dropFirst(3)) else { continue }
                #expect(frame.isFD == format.isFD, "\(context): \(line)")
                switch receiver.receive(frame, at: .zero) {
                case .deliver(let message): delivered.append(message)
                case .sendFlowControl, .awaitConsecutiveFrame: break
                case let other: Issue.record("\(context): \(line) gave \(other)")
                }
            }
            #expect(delivered == Self.lengths.map { Self.message($0, salt: 2) }, "\(context)")
        }
    }
}
