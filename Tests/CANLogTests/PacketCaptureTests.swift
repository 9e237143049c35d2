import CANCore
import CANLog
import Foundation
import Testing

/// pcap and pcapng bytes built here, so every byte order and block type is covered without binary fixtures.
@Suite struct PacketCaptureTests {
    static func u32(_ value: UInt32, little: Bool) -> [UInt8] {
        little ? withUnsafeBytes(of: value.littleEndian, Array.init) : withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    static func u16(_ value: UInt16, little: Bool) -> [UInt8] {
        little ? withUnsafeBytes(of: value.littleEndian, Array.init) : withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    /// A SocketCAN packet: can_id (with flag bits) in the given order, length, flags, two reserved bytes, data.
    static func packet(_ rawID: UInt32, _ data: [UInt8], littleID: Bool, flags: UInt8 = 0, length: UInt8? = nil) -> [UInt8] {
        u32(rawID, little: littleID) + [length ?? UInt8(data.count), flags, 0, 0] + data
    }

    static func pcap(
        _ packets: [[UInt8]], littleHeader: Bool, nanoseconds: Bool = false, linkType: UInt32 = 227
    ) -> [UInt8] {
        var bytes = u32(nanoseconds ? 0xA1B2_3C4D : 0xA1B2_C3D4, little: littleHeader)
        bytes += u16(2, little: littleHeader) + u16(4, little: littleHeader) + [UInt8](repeating: 0, count: 8)
        bytes += u32(262_144, little: littleHeader) + u32(linkType, little: littleHeader)
        for (index, packet) in packets.enumerated() {
            bytes += u32(1_700_000_000 + UInt32(index), little: littleHeader)
            bytes += u32(nanoseconds ? 123_456_789 : 123_456, little: littleHeader)
            bytes += u32(UInt32(packet.count), little: littleHeader) + u32(UInt32(packet.count), little: littleHeader)
            bytes += packet
        }
        return bytes
    }

    static let packets: [(rawID: UInt32, data: [UInt8], expected: String)] = [
        (0x7E0, [0x02, 0x19, 0x02, 0, 0, 0, 0, 0], "7E0#0219020000000000"),
        (0x8000_0000 | 0x18DA_F1C7, [0x59, 0x02], "18DAF1C7#5902"),
        (0x4000_0000 | 0x123, [], "123#R"),
        (0x2000_0000 | 0x004, [0, 4, 0, 0, 0, 0, 0, 0], "20000004#0004000000000000"),
        (0x041, [1, 2, 3], "041#010203"),
    ]

    @Test(arguments: [(false, false), (true, false), (false, true), (true, true)])
    func readsBothHeaderAndIDByteOrders(littleHeader: Bool, littleID: Bool) throws {
        let bytes = Self.pcap(Self.packets.map { Self.packet($0.rawID, $0.data, littleID: littleID) }, littleHeader: littleHeader)
        for chunkSize in [nil, 1, 5] as [Int?] {
            let (frames, reader) = try readFrames(bytes, chunkSize: chunkSize)
            #expect(reader.format == .pcap && reader.skipped == 0 && reader.recordsRead == 5)
            #expect(lines(frames) == Self.packets.enumerated().map { "(\(1_700_000_000 + $0.offset).123456) can0 \($0.element.expected)" })
        }
    }

    @Test func readsNanosecondsAndFDFrames() throws {
        let fd = Self.packet(0x456, Array(0..<12), littleID: false, flags: 0x05)
        let (frames, _) = try readFrames(Self.pcap([fd], littleHeader: true, nanoseconds: true))
        #expect(frames.first?.timestamp == Duration(secondsComponent: 1_700_000_000, attosecondsComponent: 123_456_789_000_000_000))
        #expect(frames.first?.kind == .fd([.bitRateSwitch]))
        #expect(frames.first?.data.count == 12)
    }

    @Test func readsLinuxCookedCaptures() throws {
        // LINKTYPE_LINUX_SLL: 16-byte header with protocol 0x000C (CAN) at the end, then a host-order frame.
        let header: [UInt8] = [0, 1, 0x01, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x0C]
        let packet = header + Self.packet(0x710, [0x02, 0x10, 0x03], littleID: true)
        let (frames, _) = try readFrames(Self.pcap([packet], littleHeader: true, linkType: 113))
        #expect(lines(frames) == ["(1700000000.123456) can0 710#021003"])
    }

    @Test func reportsBadPcapInput() throws {
        let good = Self.pcap(Self.packets.map { Self.packet($0.rawID, $0.data, littleID: false) }, littleHeader: true)
        // Truncated in the middle of the last record: the frames before it, then one skipped record.
        let (frames, reader) = try readFrames(Array(good.dropLast(2)), name: "cut.pcap")
        #expect(frames.count == 4 && reader.skipped == 1)
        #expect(reader.issues.map(\.description) == ["cut.pcap@138: pcap record is truncated (9 of 11 bytes)"])
        // A header cut short, a link type without CAN.
        #expect {
            try readFrames(Array(good[0..<20]), options: LogReader.Options(format: .pcap))
        } throws: { error in
            (error as? LogError)?.description == "test@0: pcap file header is truncated (20 of 24 bytes)"
        }
        #expect(throws: LogError(.unsupportedLinkType, at: LogLocation(file: ""), "")) {
            try readFrames(Self.pcap([], littleHeader: true, linkType: 1))
        }
        // A packet announcing more data than it holds is skipped, the rest read.
        let short = Self.packet(0x7E0, [1, 2], littleID: false, length: 8)
        let (rest, shortReader) = try readFrames(Self.pcap([short, Self.packet(0x7E0, [1], littleID: false)], littleHeader: true))
        #expect(rest.count == 1 && shortReader.skipped == 1)
        #expect(shortReader.issues.first?.code == .truncated)
        // An absurd record length stops the reader instead of allocating.
        var huge = Self.pcap([Self.packet(0x7E0, [1], littleID: false)], littleHeader: true)
        huge.replaceSubrange(32..<36, with: Self.u32(0x7FFF_FFFF, little: true))
        let (none, hugeReader) = try readFrames(huge)
        #expect(none.isEmpty && hugeReader.issues.first?.code == .recordTooLong)
    }

    static func block(_ type: UInt32, _ body: [UInt8], little: Bool = true) -> [UInt8] {
        let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
        let length = UInt32(12 + padded.count)
        return u32(type, little: little) + u32(length, little: little) + padded + u32(length, little: little)
    }

    static func option(_ code: UInt16, _ value: [UInt8], little: Bool = true) -> [UInt8] {
        u16(code, little: little) + u16(UInt16(value.count), little: little) + value
            + [UInt8](repeating: 0, count: (4 - value.count % 4) % 4)
    }

    static func pcapng(little: Bool) -> [UInt8] {
        var bytes = block(0x0A0D_0D0A, u32(0x1A2B_3C4D, little: little) + u16(1, little: little) + u16(0, little: little)
            + [UInt8](repeating: 0xFF, count: 8), little: little)
        // Interface 0: "can0", timestamps in 2^-10 s. Interface 1: "vcan1", 10^-3 s.
        bytes += block(1, u16(227, little: little) + [0, 0] + u32(0, little: little)
            + option(2, Array("can0".utf8), little: little) + option(9, [0x8A], little: little) + option(0, [], little: little),
            little: little)
        bytes += block(1, u16(227, little: little) + [0, 0] + u32(0, little: little)
            + option(2, Array("vcan1".utf8), little: little) + option(9, [3], little: little), little: little)
        bytes += block(5, [1, 2, 3, 4], little: little)  // Interface Statistics: skipped
        let first = packet(0x7E8, [0x03, 0x59, 0x02, 0xFF], littleID: true)
        bytes += block(6, u32(0, little: little) + u32(0, little: little) + u32(3 * 1024 + 512, little: little)
            + u32(UInt32(first.count), little: little) + u32(UInt32(first.count), little: little) + first, little: little)
        let second = packet(0x7E0, [0x02, 0x3E], littleID: true)
        bytes += block(6, u32(1, little: little) + u32(0, little: little) + u32(1_250, little: little)
            + u32(UInt32(second.count), little: little) + u32(UInt32(second.count), little: little) + second, little: little)
        let simple = packet(0x123, [0xAB], littleID: true)
        bytes += block(3, u32(UInt32(simple.count), little: little) + simple, little: little)
        return bytes
    }

    @Test(arguments: [true, false])
    func readsPcapngBlocks(little: Bool) throws {
        for chunkSize in [nil, 1, 7] as [Int?] {
            let (frames, reader) = try readFrames(Self.pcapng(little: little), chunkSize: chunkSize)
            #expect(reader.format == .pcapng && reader.skipped == 0 && reader.otherBlocks == 1)
            #expect(lines(frames) == [
                "(0000000003.500000) can0 7E8#035902FF", "(0000000001.250000) vcan1 7E0#023E",
                "(0000000000.000000) can0 123#AB",
            ])
            #expect(frames.last?.timestamp == nil)
        }
    }

    @Test func reportsBadPcapngInput() throws {
        let good = Self.pcapng(little: true)
        let (frames, reader) = try readFrames(Array(good.dropLast(6)), name: "cut.pcapng")
        #expect(frames.count == 2 && reader.skipped == 1)
        #expect(reader.issues.first?.code == .truncated)
        // A packet on an interface nobody declared.
        let orphan = Array(good[0..<28]) + Self.block(6, [UInt8](repeating: 0, count: 20) + [9, 9, 9, 9])
        let (none, orphanReader) = try readFrames(orphan)
        #expect(none.isEmpty && orphanReader.issues.map(\.reason) == ["packet on undeclared interface 0"])
    }

    static let capturesPresent = FileManager.default.fileExists(atPath: capturesDirectory.path)

    @Test(
        .enabled(if: capturesPresent, "the third-party captures are not on this machine"),
        arguments: [
            ("scapy/candump.gz", LogFormat.candumpLog, 9), ("scapy/gmlan_trace.candump.gz", .candumpLog, 1087),
            ("scapy/gmlan_trace.pcap.gz", .pcap, 1087), ("scapy/ecu_trace.pcap.gz", .pcapng, 141),
            ("scapy/candump_uds_scanner.pcap.gz", .pcap, 9434),
            ("hyundai-kona-ev-can-logs/221210-1-2021-dcan-car-scanner-elm327.csv", .gvretCSV, 1845),
            ("hyundai-kona-ev-can-logs/221210-2-2021-dcan-car-scanner-elm327-vcu-mcu-only.csv", .gvretCSV, 638),
            ("isf-canbus-gateway-techstream/techstream_abs_status.csv", .gvretCSV, 1432),
            ("isf-canbus-gateway-techstream/techstream_initialization.csv", .gvretCSV, 694),
            ("carhacking-prius-2010/DIA_drivers_seatbelt_motor.dat", .ecomCat, 650),
            ("carhacking-prius-2010/DIA_fuel_cut_all_cylinders.dat", .ecomCat, 1169),
        ])
    func readsTheRealCapturesWithoutSkipping(path: String, format: LogFormat, frameCount: Int) throws {
        let reader = try LogReader(path: capturesDirectory.appendingPathComponent(path).path)
        let frames = try reader.readAll()
        #expect(reader.format == format && reader.skipped == 0 && reader.issues.isEmpty)
        #expect(frames.count == frameCount)
    }

    @Test(.enabled(if: capturesPresent, "the third-party captures are not on this machine"))
    func gmlanPcapHoldsTheSameFramesAsItsCandumpLog() throws {
        let pcap = try LogReader(path: capturesDirectory.appendingPathComponent("scapy/gmlan_trace.pcap.gz").path)
        let candump = try LogReader(path: capturesDirectory.appendingPathComponent("scapy/gmlan_trace.candump.gz").path)
        // The pcap records no interface name; everything else must match.
        let fromPcap = try pcap.readAll().map { frame -> CANFrame in
            var copy = frame
            copy.interface = "vcan2"
            return copy
        }
        #expect(fromPcap == (try candump.readAll()))
    }
}
