import Benchmark
import CANCore
import CANLog
import ISOTP
import UDS

/// 10,000 candump lines: 95% broadcast, a 19 02 exchange (first frame, flow control, consecutive frames).
private func candumpText() -> [UInt8] {
    var text = ""
    var microseconds = 0
    for index in 0..<10_000 {
        microseconds += 230
        let stamp = "(1700000000.\(String(1_000_000 + microseconds % 1_000_000).dropFirst())) can0 "
        switch index % 20 {
        case 5: text += stamp + "7E0#031902FFAAAAAAAA\n"
        case 9: text += stamp + "7E8#10135902FF95C464\n"
        case 10: text += stamp + "7E0#300000AAAAAAAAAA\n"
        case 13: text += stamp + "7E8#2109C1980009010A\n"
        case 15: text += stamp + "7E8#2200280F0B24AAAA\n"
        default: text += stamp + "1A0#10082E003F0000\(String(index % 100 + 100).dropFirst())\n"
        }
    }
    return Array(text.utf8)
}

private let readDTCResponse: [UInt8] = [0x59, 0x02, 0xFF] + (0..<40).flatMap { [0x95, UInt8($0), 0x64, 0x09] as [UInt8] }

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.maxDuration = .seconds(2)
    Benchmark.defaultConfiguration.metrics = [.wallClock, .throughput, .mallocCountTotal]
    let text = candumpText()
    let lines = text.split(separator: 0x0A).map { Array($0) }

    Benchmark("CandumpLogParser.parse, 10k lines") { benchmark in
        var parser = CandumpLogParser()
        for _ in benchmark.scaledIterations {
            for line in lines {
                blackHole(try? line.withUnsafeBytes { try parser.parse(line: $0) })
            }
        }
    }

    Benchmark("LogReader, 10k lines, every frame") { benchmark in
        for _ in benchmark.scaledIterations {
            let reader = try LogReader(source: MemoryByteSource(text), name: "bench")
            while let frame = try reader.next() { blackHole(frame) }
        }
    }

    Benchmark("LogReader, 10k lines, diagnostic ids selected") { benchmark in
        let tracker = ISOTPFlowTracker()
        let selection = FrameSelection(
            standardID: { tracker.watches(.standard($0)!) }, extendedGroup: { tracker.watches(.extended($0 << 16)!) })
        for _ in benchmark.scaledIterations {
            let reader = try LogReader(source: MemoryByteSource(text), name: "bench", options: .init(selection: selection))
            while let frame = try reader.next() { blackHole(frame) }
            blackHole(reader.framesPassedOver)
        }
    }

    let frames = try! LogReader(source: MemoryByteSource(text), name: "bench").readAll()
    Benchmark("ISOTPFlowTracker.feed, 10k frames") { benchmark in
        for _ in benchmark.scaledIterations {
            var tracker = ISOTPFlowTracker()
            for frame in frames { blackHole(tracker.feed(frame)) }
        }
    }

    Benchmark("UDSMessage 59 02, 40 DTCs") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try UDSMessage(decoding: readDTCResponse).dtcs)
        }
    }
}
