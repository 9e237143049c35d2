import CANCore
import Foundation
import ISOTP
import Testing
import TestSupport

@Suite struct ISOTPFlowTrackerTests {
    typealias Reason = ISOTPFlowTracker.RejectReason

    /// Feeds `frames`, checking the accounting after each one; returns the messages and the tracker.
    func track(
        _ frames: [CANFrame], configuration: ISOTPFlowTracker.Configuration = .init(), finish: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> ([ISOTPFlowMessage], ISOTPFlowTracker) {
        var tracker = ISOTPFlowTracker(configuration: configuration)
        var messages: [ISOTPFlowMessage] = []
        for frame in frames {
            if let message = tracker.feed(frame) { messages.append(message) }
            #expect(tracker.statistics.accountedFrames == tracker.statistics.framesFed, sourceLocation: sourceLocation)
        }
        if finish { _ = tracker.finish() }
        #expect(tracker.statistics.accountedFrames == frames.count, sourceLocation: sourceLocation)
        return (messages, tracker)
    }

    func ms(_ value: Int) -> Duration { .milliseconds(value) }

    @Test func interleavedConversationsInBothDirections() throws {
        let frames = [
            frame(std(0x1A0), "10 20 30 40 50 60 70 80", at: ms(0)),  // broadcast that looks like a first frame
            frame(std(0x750), "C7 03 22 F1 90 00 00 00", at: ms(1)),  // tester → DCM (sub-address C7)
            frame(std(0x750), "6D 02 10 03 00 00 00 00", at: ms(2)),  // tester → camera (6D)
            frame(std(0x758), "C7 10 0E 62 F1 90 4A 54", at: ms(3)),  // DCM answers in 3 frames
            frame(std(0x758), "6D 02 50 03 00 00 00 00", at: ms(4)),  // camera answers in between
            frame(std(0x750), "C7 30 00 00 00 00 00 00", at: ms(5)),  // tester's flow control, sub-address first
            frame(std(0x7E0), "02 19 02 00 00 00 00 00", at: ms(6)),
            frame(std(0x758), "C7 21 44 42 33 34 45 35", at: ms(7)),
            frame(std(0x7E8), "10 0B 59 02 FF 01 23 45", at: ms(8)),
            frame(std(0x7E0), "30 00 00 00 00 00 00 00", at: ms(9)),
            frame(std(0x758), "C7 22 30 31 32 AA AA AA", at: ms(10)),
            frame(std(0x7E8), "21 08 01 23 46 08 AA AA", at: ms(11)),
            frame(ext(0x18DA_10F1), "02 3E 00", at: ms(12)),
            frame(ext(0x18DA_F110), "02 7E 00", at: ms(13)),
            frame(ext(0x18DB_33F1), "02 01 00", at: ms(14)),
            frame(std(0x7DF), "02 01 00", at: ms(15)),
        ]
        let (messages, tracker) = track(frames)
        let summary = messages.map { message in
            [
                message.id.description, message.peerID?.description ?? "-",
                message.addressExtension.map { Hex.string($0, digits: 2) } ?? "-", message.direction.rawValue,
                Hex.spaced(message.payload), "\(message.frameCount)", "\(message.flowControlFrameCount)",
            ].joined(separator: " | ")
        }
        #expect(
            summary == [
                "750 | 758 | C7 | request | 22 F1 90 | 1 | 0",
                "750 | 758 | 6D | request | 10 03 | 1 | 0",
                "758 | 750 | 6D | response | 50 03 | 1 | 0",
                "7E0 | 7E8 | - | request | 19 02 | 1 | 0",
                "758 | 750 | C7 | response | 62 F1 90 4A 54 44 42 33 34 45 35 30 31 32 | 3 | 1",
                "7E8 | 7E0 | - | response | 59 02 FF 01 23 45 08 01 23 46 08 | 2 | 1",
                "18DA10F1 | 18DAF110 | - | request | 3E 00 | 1 | 0",
                "18DAF110 | 18DA10F1 | - | response | 7E 00 | 1 | 0",
                "18DB33F1 | - | - | request | 01 00 | 1 | 0",
                "7DF | - | - | request | 01 00 | 1 | 0",
            ])
        #expect(messages[4].firstTimestamp == ms(3) && messages[4].lastTimestamp == ms(10))
        #expect(messages.last?.targetType == .functional && messages[0].targetType == .physical)
        let statistics = tracker.statistics
        #expect(statistics.framesFed == 16 && statistics.nonDiagnosticFrames == 1 && statistics.flowControlFrames == 2)
        #expect(statistics.messageFrames == 13 && statistics.messages == 10 && statistics.rejectedFrames.isEmpty)
    }

    /// The worked example of the module documentation (Docs.docc/ISOTP.md).
    @Test func documentationWorkedExample() {
        let frames = [
            frame(std(0x750), "C7 03 22 F1 90 CC CC CC"), frame(std(0x758), "C7 10 14 62 F1 90 4A 54"),
            frame(std(0x750), "C7 30 00 00 CC CC CC CC"), frame(std(0x758), "C7 21 44 42 33 34 45 35"),
            frame(std(0x758), "C7 22 30 31 32 33 34 35"), frame(std(0x758), "C7 23 36 37 38 AA AA AA"),
        ]
        let (messages, _) = track(frames)
        #expect(messages.count == 2)
        #expect(messages.first?.payload == bytes("22 F1 90"))
        let response = messages.last
        #expect(response?.payload == bytes("62 F1 90") + Array("JTDB34E5012345678".utf8))
        #expect(response?.addressExtension == 0xC7 && response?.peerID == std(0x750))
        #expect(response?.frameCount == 4 && response?.flowControlFrameCount == 1)
        var receiver = ISOTPReassembler(
            configuration: .init(
                address: .extended(
                    transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0xC7, sourceAddress: 0xC7)))
        #expect(
            receiver.receive(frames[1], at: .milliseconds(12))
                == .sendFlowControl(
                    frame(std(0x750), "C7 30 00 00 CC CC CC CC"), awaitConsecutiveFrameUntil: .milliseconds(1012)))
    }

    @Test func ordinaryBroadcastIsNotDiagnostic() {
        let remote = try! CANFrame(id: std(0x7E0), kind: .remote(requestedLength: 8), data: [])
        let frames = [
            frame(std(0x1A0), "10 14 00 00 00 00 00 00"), frame(std(0x1A0), "21 00 00 00 00 00 00 00"),
            frame(std(0x6FF), "02 10 03"), frame(ext(0x0CF0_0400), "10 14 00 00 00 00 00 00"), remote,
        ]
        let (messages, tracker) = track(frames)
        #expect(messages.isEmpty && tracker.statistics.nonDiagnosticFrames == 5)
    }

    @Test func declaredPairsOutsideTheDefaultRanges() {
        let pair = ISOTPFlowTracker.Pair(request: std(0x641), response: std(0x651))
        let mixed = ISOTPFlowTracker.Pair(request: ext(0x1234_5678), response: ext(0x1234_5679), usesAddressByte: true)
        let configuration = ISOTPFlowTracker.Configuration(additionalPairs: [pair, mixed])
        let frames = [
            frame(std(0x641), "02 10 03"), frame(std(0x651), "06 50 03 00 32 01 F4"),
            frame(ext(0x1234_5678), "99 02 3E 00"), frame(ext(0x1234_5679), "99 02 7E 00"),
            frame(std(0x642), "02 10 03"),
        ]
        let (messages, tracker) = track(frames, configuration: configuration)
        #expect(
            messages.map(\.payload) == [bytes("10 03"), bytes("50 03 00 32 01 F4"), bytes("3E 00"), bytes("7E 00")])
        #expect(messages.map(\.peerID) == [std(0x651), std(0x641), ext(0x1234_5679), ext(0x1234_5678)])
        #expect(messages[3].addressExtension == 0x99 && messages[1].direction == .response)
        #expect(tracker.statistics.nonDiagnosticFrames == 1)
        // Declaring other extended-addressing ids in the 0x7xx range.
        let extended = ISOTPFlowTracker.Configuration(extendedAddressingIDs: [std(0x7B0), std(0x7B8)])
        let (toyota, declared) = track(
            [frame(std(0x7B0), "40 02 21 01"), frame(std(0x750), "C7 02 10 03")], configuration: extended)
        #expect(toyota.map(\.addressExtension) == [0x40] && toyota.map(\.payload) == [bytes("21 01")])
        // 0x750 no longer has an address byte, so its first byte 0xC7 is read as a (reserved) PCI.
        #expect(declared.statistics.rejectedFrames == [.invalidProtocolControlInformation: 1])
    }

    @Test(arguments: [
        // (frames as "id@ms hex", reason, frames rejected for it)
        (
            ["7E8@0 10 14 01 02 03 04 05 06", "7E8@10 21 07 08 09 0A 0B 0C 0D", "7E8@20 23 00 00 00 00 00 00 00"],
            Reason.sequenceError, 3
        ),
        (["7E8@0 10 14 01 02 03 04 05 06", "7E8@1500 21 07 08 09 0A 0B 0C 0D"], .timeout, 2),
        (["7E8@0 10 14 01 02 03 04 05 06", "7E8@10 21 07 08 09 0A 0B 0C 0D"], .truncatedAtEndOfInput, 2),
        (["7E8@0 10 14 01 02 03 04 05 06", "7E9@3000 02 10 03"], .timeout, 1),
        (["7E8@0 21 07 08 09 0A 0B 0C 0D"], .unexpectedConsecutiveFrame, 1),
        (
            ["7E8@0 10 14 01 02 03 04 05 06", "7E8@5 10 08 01 02 03 04 05 06", "7E8@6 21 07 08"],
            .interruptedByFirstFrame, 1
        ),
        (
            ["7E8@0 10 14 01 02 03 04 05 06", "7E8@10 21 07 08 09 0A 0B 0C 0D", "7E8@11 03 7F 22 78"],
            .interruptedBySingleFrame, 2
        ),
        (["7E8@0 45 00 00"], .invalidProtocolControlInformation, 1),
        (["758@0 C7"], .invalidProtocolControlInformation, 1),
        (["7E8@0 08 01 02 03 04 05 06 07"], .invalidProtocolControlInformation, 1),
        (["7E0@0 36 00 00"], .invalidFlowControl, 1),
        (["7E8@0 10 14 01 02 03 04 05 06", "7E0@1 32 00 00"], .receiverOverflow, 1),
        (["7E8@0 10 14 01 02 03 04 05 06", "7E8@1 21 07 08 09"], .invalidConsecutiveFrameLength, 2),
        (["7E8@0 1F FF 01 02 03 04 05 06"], .messageTooLong, 1),
    ])
    func countsWhatItCannotReassemble(lines: [String], reason: Reason, rejected: Int) {
        let frames = lines.map { line -> CANFrame in
            let parts = line.split(separator: " ", maxSplits: 1)
            let head = parts[0].split(separator: "@")
            return frame(std(UInt32(head[0], radix: 16)!), String(parts[1]), at: .milliseconds(Int(head[1])!))
        }
        let configuration = ISOTPFlowTracker.Configuration(maximumMessageLength: 4000)
        let (_, tracker) = track(frames, configuration: configuration)
        #expect(tracker.statistics.rejectedFrames[reason] == rejected)
        #expect(tracker.statistics.rejections[reason] == 1)
        #expect(tracker.statistics.rejectedFrames.keys.count == 1)
    }

    @Test func keepsPartialMessagesAsInspectableState() {
        var tracker = ISOTPFlowTracker()
        _ = tracker.feed(frame(std(0x758), "C7 10 0E 62 F1 90 4A 54", at: .milliseconds(3)))
        _ = tracker.feed(frame(std(0x7E8), "10 0B 59 02 FF 01 23 45", at: .milliseconds(4)))
        _ = tracker.feed(frame(std(0x758), "C7 21 44 42 33 34 45 35", at: .milliseconds(7)))
        let partials = tracker.inProgress
        #expect(partials.map(\.message.id) == [std(0x758), std(0x7E8)])
        #expect(
            partials[0].message.payload == bytes("62 F1 90 4A 54 44 42 33 34 45 35")
                && partials[0].nextSequenceNumber == 2)
        #expect(partials[0].expectedLength == 14 && partials[0].message.addressExtension == 0xC7)
        #expect(tracker.statistics.pendingFrames == 3)
        let abandoned = tracker.finish()
        #expect(abandoned.count == 2 && tracker.inProgress.isEmpty)
        #expect(tracker.statistics.pendingFrames == 0 && tracker.statistics.rejectedFrames[.truncatedAtEndOfInput] == 3)
        let sum = tracker.statistics + tracker.statistics
        #expect(sum.framesFed == 6 && sum.rejectedFrames[.truncatedAtEndOfInput] == 6)
    }

    /// Traffic made by our own segmenter, interleaved across many links, is reassembled completely.
    @Test func reassemblesSegmentedTrafficFromManyLinks() {
        var generator = SeededGenerator(seed: 42)
        let links: [ISOTPAddress] = [
            .normal(transmitID: std(0x7E0), receiveID: std(0x7E8)),
            .normal(transmitID: std(0x7B0), receiveID: std(0x7B8)),
            .extended(transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0xC7, sourceAddress: 0xC7),
            .extended(transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0x6D, sourceAddress: 0x6D),
            .normalFixed(sourceAddress: 0xF1, targetAddress: 0x10),
            .mixed(sourceAddress: 0xF1, targetAddress: 0x20, addressExtension: 0x99),
        ]
        var expected: [[UInt8]] = []
        var streams: [[CANFrame]] = []
        for index in 0..<60 {
            let address = index % 2 == 0 ? links[index / 2 % links.count] : links[index / 2 % links.count].reversed
            let message = (0..<Int.random(in: 1...200, using: &generator)).map { _ in
                UInt8.random(in: 0...255, using: &generator)
            }
            expected.append(message)
            streams.append(Self.frames(of: message, address: address))
        }
        // Interleave the links frame by frame, keeping each link's order.
        var merged: [CANFrame] = []
        var cursors = [Int](repeating: 0, count: streams.count)
        var window = 0..<6
        while window.lowerBound < streams.count {
            for stream in window where cursors[stream] < streams[stream].count {
                merged.append(streams[stream][cursors[stream]])
                cursors[stream] += 1
            }
            while window.lowerBound < streams.count, cursors[window.lowerBound] == streams[window.lowerBound].count {
                window = (window.lowerBound + 1)..<min(streams.count, window.upperBound + 1)
            }
        }
        let (messages, tracker) = track(merged)
        #expect(Set(messages.map(\.payload)) == Set(expected) && messages.count == expected.count)
        #expect(tracker.statistics.rejectedFrames.isEmpty)
        #expect(tracker.statistics.messageFrames + tracker.statistics.flowControlFrames == merged.count)
    }

    /// The frames of one transfer (sender frames and the receiver's flow control) in bus order.
    static func frames(of message: [UInt8], address: ISOTPAddress) -> [CANFrame] {
        var sender = ISOTPSegmenter(configuration: .init(address: address))
        var receiver = ISOTPReassembler(configuration: .init(address: address.reversed, blockSize: 3))
        var frames: [CANFrame] = []
        var action = try! sender.send(message, at: .zero)
        while case .transmit(let frame, _) = action {
            frames.append(frame)
            var flowControl: CANFrame?
            if case .sendFlowControl(let fc, _) = receiver.receive(frame, at: .zero) {
                frames.append(fc)
                flowControl = fc
            }
            action = sender.transmitConfirmed(at: .zero)
            if case .awaitFlowControl = action, let flowControl { action = sender.receive(flowControl, at: .zero) }
        }
        return frames
    }

    // MARK: - Real captures (read from ../shared/captures; skipped when absent)

    static let captures = SharedCaptures.folder

    /// Parses ECOMCat text: `IDH: 07, IDL: E8, Len: 08, Data: 10 57 E2 … ,TS: 78,BAUD: 1` (TS in ms).
    static func ecomcat(_ text: String) -> [CANFrame] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            var fields: [String: String] = [:]
            for field in line.split(separator: ",") {
                let parts = field.split(separator: ":", maxSplits: 1)
                if parts.count == 2 {
                    fields[parts[0].trimmingCharacters(in: .whitespaces)] = parts[1].trimmingCharacters(
                        in: .whitespaces)
                }
            }
            guard let high = fields["IDH"].flatMap({ UInt32($0, radix: 16) }),
                let low = fields["IDL"].flatMap({ UInt32($0, radix: 16) }),
                let data = fields["Data"].flatMap(Hex.bytes), let time = fields["TS"].flatMap({ Int($0) })
            else { return nil }
            return try? CANFrame.classic(std(high << 8 | low), data, timestamp: .milliseconds(time))
        }
    }

    @Test(
        .enabled(if: SharedCaptures.available, "../shared/captures is not present"),
        arguments: ["DIA_fuel_cut_all_cylinders.dat", "DIA_drivers_seatbelt_motor.dat"])
    func prius2010Captures(file: String) throws {
        let url = Self.captures.appendingPathComponent("carhacking-prius-2010/\(file)")
        let text = try String(contentsOf: url, encoding: .utf8)
        let frames = Self.ecomcat(text)
        #expect(frames.count > 600)
        let (messages, tracker) = track(frames)
        // Every first frame in the file starts a message that is completed, except one cut by the end.
        let firstFrames = frames.filter { $0.id.value >= 0x700 && $0.data.first.map { $0 >> 4 == 1 } == true }.count
        let multiFrame = messages.filter { $0.frameCount > 1 }
        let truncated = tracker.statistics.rejections[.truncatedAtEndOfInput] ?? 0
        #expect(multiFrame.count + truncated == firstFrames)
        #expect(tracker.statistics.rejectedFrames.keys.allSatisfy { $0 == .truncatedAtEndOfInput })
        #expect(multiFrame.allSatisfy { $0.flowControlFrameCount >= 1 })
        #expect(messages.allSatisfy { ($0.direction == .request) == ($0.id.value & 0x8 == 0) })
        if file.hasPrefix("DIA_fuel") {
            #expect(multiFrame.filter { $0.id == std(0x7E8) && $0.payload.first == 0xE2 }.count >= 100)
        }
    }

    @Test(.enabled(if: SharedCaptures.available, "../shared/captures is not present"))
    func konaCarScannerCapture() throws {
        let url = Self.captures.appendingPathComponent(
            "hyundai-kona-ev-can-logs/221210-1-2021-dcan-car-scanner-elm327.csv")
        let text = try String(contentsOf: url, encoding: .utf8)
        // GVRET CSV: Time Stamp (µs),ID,Extended,Bus,LEN,D1..D8.
        let frames = text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line -> CANFrame? in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 5, let time = Int(fields[0]), let value = UInt32(fields[1], radix: 16),
                let length = Int(fields[4]), fields.count >= 5 + length
            else { return nil }
            let id = CANIdentifier(value, format: fields[2] == "true" ? .extended : .standard)!
            return try? CANFrame.classic(
                id, fields[5..<(5 + length)].compactMap { UInt8($0, radix: 16) }, timestamp: .microseconds(time))
        }
        #expect(frames.count == 1845)
        let (messages, tracker) = track(frames)
        // The multi-frame DTC report of the README: 778: 59 02 09 96 03 00 08 A8 01 00 08 …
        let report = messages.first {
            $0.id == std(0x778) && $0.payload.starts(with: bytes("59 02 09 96 03 00 08 A8 01 00 08"))
        }
        #expect(report?.frameCount ?? 0 > 1)
        #expect(report?.peerID == std(0x770) && report?.direction == .response)
        #expect(messages.contains { $0.id == std(0x7BF) && $0.payload == bytes("59 02 FF 58 12 87 28") })
        #expect(tracker.statistics.messages > 500)
    }
}
