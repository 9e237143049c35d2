public import CANCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads CAN frames from a log of any supported format, streaming: memory use is one buffer whatever the
/// size of the input, and input can come from a pipe.
///
/// The reader sniffs gzip compression (by the magic bytes, not the name) and the format (see
/// ``LogFormat/detect(prefix:isComplete:sampleLines:)``) when it is created, then hands out frames one at a
/// time with ``next()``. A line or record that cannot be read is skipped and counted; its error is kept (the
/// first ``Options/maximumIssuesKept`` of them) in ``issues``. In strict mode the first such error is thrown
/// instead.
///
/// ```swift
/// let reader = try LogReader(path: "capture.log.gz")
/// while let frame = try reader.next() { ... }
/// print(reader.format, reader.framesRead, reader.skipped)
/// ```
///
/// A reader is a reference type (it owns its buffer and source) and is used from one thread at a time.
public final class LogReader {
    /// How a reader behaves.
    public struct Options: Sendable {
        /// The format to read; nil detects it from the first bytes.
        public var format: LogFormat?
        /// Stop at the first bad line or record (throwing its error) instead of skipping it.
        public var strict: Bool
        /// The longest line accepted, in bytes; longer lines are skipped with a `lineTooLong` error.
        public var maximumLineLength: Int
        /// The largest pcap record or pcapng block accepted, in bytes.
        public var maximumRecordLength: Int
        /// How many errors ``LogReader/issues`` keeps (all are counted in ``LogReader/skipped``).
        public var maximumIssuesKept: Int
        /// The size of the read buffer, in bytes.
        public var bufferSize: Int
        /// Data frames on ids outside this selection are read, checked and counted in
        /// ``LogReader/framesPassedOver`` but not returned; nil returns every frame.
        public var selection: FrameSelection?
        /// Whether gzip input is recognised by its magic bytes; off when the caller knows the bytes are text
        /// (a stretch cut out of a larger log).
        public var detectsCompression: Bool

        /// Options with the defaults: detect the format, skip bad lines, 4096-byte lines, 256 KiB records,
        /// keep 100 issues, a 1 MiB buffer.
        public init(
            format: LogFormat? = nil, strict: Bool = false, maximumLineLength: Int = 4096,
            maximumRecordLength: Int = 1 << 18, maximumIssuesKept: Int = 100, bufferSize: Int = 1 << 20,
            selection: FrameSelection? = nil, detectsCompression: Bool = true
        ) {
            self.selection = selection
            self.detectsCompression = detectsCompression
            self.format = format
            self.strict = strict
            self.maximumLineLength = maximumLineLength
            self.maximumRecordLength = maximumRecordLength
            self.maximumIssuesKept = maximumIssuesKept
            self.bufferSize = bufferSize
        }
    }

    /// The name of the input in messages: the path, or `<stdin>`.
    public let name: String
    /// The format being read.
    public private(set) var format: LogFormat = .candumpLog
    /// Whether the input was gzip-compressed.
    public private(set) var isCompressed = false
    /// Lines read so far (text formats), including blank, metadata and bad lines.
    public private(set) var linesRead = 0
    /// Records or blocks read so far (pcap, pcapng).
    public private(set) var recordsRead = 0
    /// Frames returned so far.
    public private(set) var framesRead = 0
    /// Data frames read but not returned because ``Options/selection`` leaves their id out.
    public private(set) var framesPassedOver = 0
    /// Lines or records skipped because they could not be read (each has an error, see ``issues``).
    public private(set) var skipped = 0
    /// Lines that belong to the format but hold no frame (headers, comments, status events, candump's
    /// error-frame explanations).
    public private(set) var metadataLines = 0
    /// pcapng blocks of types that carry no packets (name resolution, statistics, custom), skipped.
    public private(set) var otherBlocks = 0
    /// How many times a frame's timestamp was earlier than the one before it.
    public private(set) var timestampRegressions = 0
    /// The first errors met (at most ``Options/maximumIssuesKept``), in input order.
    public private(set) var issues: [LogError] = []
    /// Bytes read so far, after decompression (for progress reports).
    public private(set) var bytesRead = 0

    private let options: Options
    /// A source error met while sniffing, after some bytes: thrown when those bytes are used up.
    private var deferredSourceError: LogError?
    private var source: any ByteSource
    private let buffer: UnsafeMutableRawBufferPointer
    private var start = 0
    private var end = 0
    private var scanFrom = 0
    private var bufferOffset = 0
    private var sourceEnded = false
    private var finished = false
    private var discardingLongLine = false
    /// The shape of the last line the candump skimmer read (see ``CandumpLineSkimmer/Shape``).
    private var skimmedShape = CandumpLineSkimmer.Shape()
    /// The shape of the last GVRET CSV line passed over by the general path (see ``GVRETLineSkimmer``).
    private var csvShape: GVRETLineSkimmer.Shape?
    /// The timestamp of the latest frame read (returned or passed over) that had one.
    public private(set) var lastTimestamp: Duration?

    private var text: TextLineParser
    private var packets = SocketCANPacketDecoder()
    private var pcap = PcapState()
    private var pcapng = PcapngState()

    /// Opens the log at `path` (`-` for standard input).
    ///
    /// - Throws: ``LogError`` with code `fileNotFound` or `readFailed` when it cannot be opened,
    ///   `unknownFormat` when no format fits (or the input is empty and no format was given), `badHeader` or
    ///   `unsupportedLinkType` for an unusable pcap or pcapng header, `badCompressedData` for corrupt gzip.
    public convenience init(path: String, options: Options = Options()) throws(LogError) {
        try self.init(source: FileByteSource(path: path), name: path == "-" ? "<stdin>" : path, options: options)
    }

    /// Reads from any byte source; `name` is used in messages.
    ///
    /// - Throws: as ``init(path:options:)``, except for opening.
    public init(source: any ByteSource, name: String, options: Options = Options()) throws(LogError) {
        self.name = name
        self.options = options
        self.source = source
        let capacity = max(options.bufferSize, options.maximumLineLength + 1, options.maximumRecordLength, 64)
        buffer = .allocate(byteCount: capacity, alignment: 16)
        text = TextLineParser(format: .candumpLog)

        // Sniff: gzip first, then the format of what it decompresses to.
        let sniffLength = min(capacity, 1 << 16)
        do {
            try fill(atLeast: sniffLength)
            if options.detectsCompression, end - start >= 2, buffer[start] == 0x1F, buffer[start + 1] == 0x8B {
                let prefix = Array(UnsafeRawBufferPointer(rebasing: buffer[start..<end]))
                self.source = GzipByteSource(base: self.source, prefix: prefix, name: name)
                isCompressed = true
                (start, end, scanFrom, sourceEnded) = (0, 0, 0, false)
                // A corrupt member met while sniffing is reported after the frames decompressed before it.
                do {
                    try fill(atLeast: sniffLength)
                } catch where end > start {
                    deferredSourceError = error
                }
            }
        } catch {
            throw error  // deinit frees the buffer
        }
        let available = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
        if let given = options.format {
            format = given
        } else if let detected = LogFormat.detect(prefix: available, isComplete: sourceEnded) {
            format = detected
        } else {
            let reason =
                available.isEmpty
                ? "the input is empty, so its format cannot be detected"
                : "not a CAN log in a known format (candump log or screen, GVRET CSV, Vector ASC, ECOMCat, pcap, pcapng)"
            throw LogError(.unknownFormat, at: LogLocation(file: name), reason)
        }
        text = TextLineParser(format: format.isText ? format : .candumpLog)
        if format == .pcap { try readPcapHeader() }
    }

    deinit { buffer.deallocate() }

    /// The next frame, or nil at the end of the input.
    ///
    /// - Throws: ``LogError`` in strict mode for the first bad line or record; in any mode when the input
    ///   cannot be read or decompressed.
    public func next() throws(LogError) -> CANFrame? {
        guard !finished else { return nil }
        while true {
            let frame: CANFrame?
            switch format {
            case .pcap: frame = try nextPcapFrame()
            case .pcapng: frame = try nextPcapngFrame()
            default: frame = try nextTextFrame()
            }
            guard let frame else {
                finished = true
                return nil
            }
            if let timestamp = frame.timestamp { note(timestamp) }
            if let selection = options.selection, !selection.hands(frame.id, frame.kind) {
                framesPassedOver += 1
                continue
            }
            framesRead += 1
            return frame
        }
    }

    @inline(__always)
    private func note(_ timestamp: Duration) {
        if let lastTimestamp, timestamp < lastTimestamp { timestampRegressions += 1 }
        lastTimestamp = timestamp
    }

    /// Every remaining frame (for tests and small logs; use ``next()`` to stream).
    public func readAll() throws(LogError) -> [CANFrame] {
        var frames: [CANFrame] = []
        while let frame = try next() { frames.append(frame) }
        return frames
    }

    // MARK: Issues

    private func report(_ error: LogError) throws(LogError) {
        skipped += 1
        if issues.count < options.maximumIssuesKept { issues.append(error) }
        if options.strict { throw error }
    }

    /// Reports an error after which the input cannot be followed (a truncated or oversized record).
    private func reportFatal(_ error: LogError) throws(LogError) -> CANFrame? {
        finished = true
        try report(error)
        return nil
    }

    private var location: LogLocation { LogLocation(file: name, byteOffset: bufferOffset + start) }

    // MARK: Buffer

    /// Reads until `atLeast` bytes are buffered or the source ends.
    private func fill(atLeast count: Int) throws(LogError) {
        while end - start < count, !sourceEnded {
            try readMore()
        }
    }

    /// Moves the unread bytes to the front when needed and reads once into the free space.
    private func readMore() throws(LogError) {
        if let error = deferredSourceError {
            deferredSourceError = nil
            throw error
        }
        if start > 0, end == buffer.count || buffer.count - start < options.maximumLineLength + 1 {
            let pending = end - start
            if pending > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, pending) }
            bufferOffset += start
            scanFrom -= start
            end = pending
            start = 0
        }
        let free = UnsafeMutableRawBufferPointer(rebasing: buffer[end...])
        guard !free.isEmpty else { return }
        let count = try source.read(into: free)
        if count == 0 { sourceEnded = true }
        end += count
        bytesRead += count
    }

    /// Makes `count` contiguous bytes available at `start`; false when the input ends first.
    private func ensure(_ count: Int) throws(LogError) -> Bool {
        while end - start < count {
            if sourceEnded { return false }
            if buffer.count - start < count {
                let pending = end - start
                if pending > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, pending) }
                bufferOffset += start
                end = pending
                start = 0
            }
            try readMore()
        }
        return true
    }

    // MARK: Text

    private func nextTextFrame() throws(LogError) -> CANFrame? {
        let skimming = text.skims ? options.selection : nil
        let skimmer =
            format == .candumpLog
            ? skimming.map { CandumpLineSkimmer(selection: $0, maximumLineLength: options.maximumLineLength) } : nil
        while true {
            // Whole buffers of passed-over lines at a time; the general path below takes the line it stops at.
            var lineIsSelected = false
            if let skimmer, !discardingLongLine, end - start >= CandumpLineSkimmer.window {
                let run = skimmer.run(
                    over: UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: end - start),
                    previous: lastTimestamp, shape: &skimmedShape)
                if run.lines > 0, let latest = run.latest {
                    start += run.consumed
                    scanFrom = max(scanFrom, start)
                    linesRead += run.lines
                    framesPassedOver += run.lines
                    timestampRegressions += run.regressions
                    lastTimestamp = Duration(secondsComponent: latest.seconds, attosecondsComponent: latest.attoseconds)
                }
                lineIsSelected = run.stoppedAtSelectedLine
                // A selected line in the fast shape becomes a frame here, as the parser would make it.
                if lineIsSelected, end - start >= CandumpLineSkimmer.window,
                    let selected = CandumpLineSkimmer.selectedFrame(
                        at: (buffer.baseAddress! + start).assumingMemoryBound(to: UInt8.self),
                        maximumLineLength: options.maximumLineLength)
                {
                    start += selected.length
                    scanFrom = max(scanFrom, start)
                    linesRead += 1
                    return CANFrame(
                        unchecked: selected.id, kind: .classic, data: selected.data, timestamp: selected.timestamp,
                        interface: text.candumpLog.interface(for: selected.name))
                }
            }
            if let skimming, let shape = csvShape, !discardingLongLine, end - start >= GVRETLineSkimmer.window {
                let run = GVRETLineSkimmer.run(
                    over: UnsafeRawBufferPointer(start: buffer.baseAddress! + start, count: end - start), shape: shape,
                    selection: skimming, previous: lastTimestamp)
                if let latest = run.latest {
                    start += run.consumed
                    scanFrom = max(scanFrom, start)
                    linesRead += run.lines
                    framesPassedOver += run.lines
                    timestampRegressions += run.regressions
                    lastTimestamp = .microseconds(latest)
                }
            }
            guard let line = try nextLine() else { return nil }
            linesRead += 1
            if let skimming, !lineIsSelected, let timestamp = text.skim(line: line, selection: skimming) {
                note(timestamp)
                framesPassedOver += 1
                // The next lines of a GVRET CSV log are most likely laid out like this one.
                if format == .gvretCSV { csvShape = text.gvretCSV.skimShape(of: line) }
                continue
            }
            do {
                switch try text.parse(line: line) {
                case .frame(let frame): return frame
                case .blank: continue
                case .metadata: metadataLines += 1
                }
            } catch {
                try report(error.located(file: name, line: linesRead))
            }
        }
    }

    /// The next line without its terminator, borrowed from the buffer until the next call.
    private func nextLine() throws(LogError) -> UnsafeRawBufferPointer? {
        let base = buffer.baseAddress!
        while true {
            if scanFrom < end, let found = memchr(base + scanFrom, 0x0A, end - scanFrom) {
                let lineEnd = base.distance(to: found)
                let lineStart = start
                start = lineEnd + 1
                scanFrom = start
                if discardingLongLine {
                    discardingLongLine = false
                    continue
                }
                if lineEnd - lineStart > options.maximumLineLength {
                    linesRead += 1
                    try report(longLine())
                    continue
                }
                return UnsafeRawBufferPointer(start: base + lineStart, count: lineEnd - lineStart)
            }
            scanFrom = end
            if discardingLongLine {
                start = end
            } else if end - start > options.maximumLineLength {
                linesRead += 1
                discardingLongLine = true
                start = end
                scanFrom = end
                try report(longLine())
            }
            if sourceEnded {
                guard start < end, !discardingLongLine else { return nil }
                let line = UnsafeRawBufferPointer(start: base + start, count: end - start)
                start = end
                return line
            }
            try readMore()
        }
    }

    private func longLine() -> LogError {
        LogError(
            .lineTooLong, at: LogLocation(file: name, line: linesRead, column: options.maximumLineLength + 1),
            "line longer than \(options.maximumLineLength) bytes")
    }

    // MARK: pcap

    private struct PcapState {
        var littleEndian = true
        var nanoseconds = false
        var linkType = LinkType.socketCAN
    }

    private func readPcapHeader() throws(LogError) {
        guard try ensure(24) else {
            throw LogError(.badHeader, at: location, "pcap file header is truncated (\(end - start) of 24 bytes)")
        }
        let header = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + 24)])
        switch (header[0], header[1], header[2], header[3]) {
        case (0xD4, 0xC3, 0xB2, 0xA1): (pcap.littleEndian, pcap.nanoseconds) = (true, false)
        case (0xA1, 0xB2, 0xC3, 0xD4): (pcap.littleEndian, pcap.nanoseconds) = (false, false)
        case (0x4D, 0x3C, 0xB2, 0xA1): (pcap.littleEndian, pcap.nanoseconds) = (true, true)
        case (0xA1, 0xB2, 0x3C, 0x4D): (pcap.littleEndian, pcap.nanoseconds) = (false, true)
        default: throw LogError(.badHeader, at: location, "not a pcap file (bad magic number)")
        }
        // The upper bits of the link type field hold FCS information (pcap file format, section 4).
        pcap.linkType = LinkType(rawValue: header.integer32(at: 20, littleEndian: pcap.littleEndian) & 0x03FF_FFFF)
        guard pcap.linkType.carriesCAN else {
            throw LogError(
                .unsupportedLinkType, at: location,
                "pcap link type \(pcap.linkType.rawValue) does not carry CAN frames "
                    + "(expected 227 CAN_SOCKETCAN or 113/276 Linux cooked capture)")
        }
        start += 24
    }

    private func nextPcapFrame() throws(LogError) -> CANFrame? {
        while true {
            if let selection = options.selection { passOverPcapRecords(selection) }
            guard try ensure(16) else {
                if end > start {
                    return try reportFatal(
                        LogError(.truncated, at: location, "pcap record header is truncated (\(end - start) of 16 bytes)"))
                }
                return nil
            }
            let header = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + 16)])
            let seconds = header.integer32(at: 0, littleEndian: pcap.littleEndian)
            let fraction = header.integer32(at: 4, littleEndian: pcap.littleEndian)
            let capturedLength = Int(header.integer32(at: 8, littleEndian: pcap.littleEndian))
            guard capturedLength <= options.maximumRecordLength - 16 else {
                return try reportFatal(
                    LogError(.recordTooLong, at: location, "pcap record of \(capturedLength) bytes is too long"))
            }
            guard try ensure(16 + capturedLength) else {
                return try reportFatal(
                    LogError(
                        .truncated, at: location,
                        "pcap record is truncated (\(end - start - 16) of \(capturedLength) bytes)"))
            }
            recordsRead += 1
            let timestamp = pcapTimestamp(seconds, fraction)
            let packet = UnsafeRawBufferPointer(rebasing: buffer[(start + 16)..<(start + 16 + capturedLength)])
            if let selection = options.selection, packets.isPassedOver(packet, linkType: pcap.linkType, selection: selection) {
                start += 16 + capturedLength
                note(timestamp)
                framesPassedOver += 1
                continue
            }
            let result = packets.decode(packet, linkType: pcap.linkType, timestamp: timestamp, interface: nil)
            let recordLocation = location
            start += 16 + capturedLength
            switch result {
            case .success(let frame): return frame
            case .failure(let problem): try report(LogError(problem.code, at: recordLocation, problem.message))
            }
        }
    }

    /// Counts the whole records in the buffer, from `start`, that the general path below would pass over: SocketCAN
    /// packets on ids the selection leaves out, once the byte order is settled, whose timestamps are in range (a
    /// fraction below one second). Their timestamps are compared as (seconds, fraction) without making durations.
    /// Stops at the first record it cannot settle, which the general path then reads.
    private func passOverPcapRecords(_ selection: FrameSelection) {
        guard pcap.linkType == .socketCAN, packets.lockedOrder != nil else { return }
        let base = UnsafeRawPointer(buffer.baseAddress!)
        let littleEndian = pcap.littleEndian
        let unit: UInt32 = pcap.nanoseconds ? 1_000_000_000 : 1_000_000
        let longest = options.maximumRecordLength - 16
        func integer(_ offset: Int) -> UInt32 {
            let value = base.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            return littleEndian ? UInt32(littleEndian: value) : UInt32(bigEndian: value)
        }
        var offset = start
        var records = 0
        var regressions = 0
        var latest: UInt64 = 0
        while end - offset >= 16 {
            let capturedLength = Int(integer(offset + 8))
            let fraction = integer(offset + 4)
            guard capturedLength <= longest, end - offset - 16 >= capturedLength, fraction < unit,
                packets.isPassedOver(
                    UnsafeRawBufferPointer(start: base + offset + 16, count: capturedLength), linkType: .socketCAN,
                    selection: selection)
            else { break }
            let seconds = integer(offset)
            let key = UInt64(seconds) << 32 | UInt64(fraction)
            if records > 0 {
                if key < latest { regressions += 1 }
            } else if let lastTimestamp, pcapTimestamp(seconds, fraction) < lastTimestamp {
                regressions += 1
            }
            latest = key
            records += 1
            offset += 16 + capturedLength
        }
        guard records > 0 else { return }
        start = offset
        recordsRead += records
        framesPassedOver += records
        timestampRegressions += regressions
        lastTimestamp = pcapTimestamp(UInt32(truncatingIfNeeded: latest >> 32), UInt32(truncatingIfNeeded: latest))
    }

    /// A pcap record's timestamp; a fraction of a second of a million units or more (in a corrupt record) is
    /// carried into the seconds, as Duration arithmetic does, rather than overflow.
    private func pcapTimestamp(_ seconds: UInt32, _ fraction: UInt32) -> Duration {
        .seconds(Int64(seconds)) + (pcap.nanoseconds ? .nanoseconds(Int64(fraction)) : .microseconds(Int64(fraction)))
    }

    // MARK: pcapng

    private struct PcapngInterface {
        var linkType: LinkType
        var decimalResolution = true
        var resolutionExponent = 6
        var offsetSeconds: Int64 = 0
        var name: String?
    }

    private struct PcapngState {
        var littleEndian = true
        var sawSectionHeader = false
        var interfaces: [PcapngInterface] = []
        static let maximumInterfaces = 1024
    }

    private func nextPcapngFrame() throws(LogError) -> CANFrame? {
        while true {
            guard try ensure(12) else {
                if end > start {
                    return try reportFatal(
                        LogError(.truncated, at: location, "pcapng block header is truncated (\(end - start) bytes)"))
                }
                return nil
            }
            var header = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + 12)])
            var type = header.integer32(at: 0, littleEndian: pcapng.littleEndian)
            if type == 0x0A0D_0D0A {
                switch (header[8], header[9], header[10], header[11]) {
                case (0x4D, 0x3C, 0x2B, 0x1A): pcapng.littleEndian = true
                case (0x1A, 0x2B, 0x3C, 0x4D): pcapng.littleEndian = false
                default:
                    return try reportFatal(
                        LogError(.badHeader, at: location, "pcapng section header has a bad byte-order magic"))
                }
                pcapng.sawSectionHeader = true
                pcapng.interfaces.removeAll(keepingCapacity: true)
            } else if !pcapng.sawSectionHeader {
                return try reportFatal(LogError(.badHeader, at: location, "pcapng file does not start with a section header"))
            }
            type = header.integer32(at: 0, littleEndian: pcapng.littleEndian)
            let length = Int(header.integer32(at: 4, littleEndian: pcapng.littleEndian))
            guard length >= 12, length % 4 == 0 else {
                return try reportFatal(LogError(.badHeader, at: location, "pcapng block length \(length) is invalid"))
            }
            guard length <= options.maximumRecordLength else {
                return try reportFatal(
                    LogError(.recordTooLong, at: location, "pcapng block of \(length) bytes is too long"))
            }
            guard try ensure(length) else {
                return try reportFatal(
                    LogError(.truncated, at: location, "pcapng block is truncated (\(end - start) of \(length) bytes)"))
            }
            recordsRead += 1
            header = UnsafeRawBufferPointer(rebasing: buffer[start..<(start + length)])
            let body = UnsafeRawBufferPointer(rebasing: header[8..<(length - 4)])
            let blockLocation = location
            start += length
            let little = pcapng.littleEndian
            var result: Result<CANFrame, PacketProblem>?
            switch type {
            case 0x0A0D_0D0A:
                continue
            case 1:  // Interface Description Block
                guard body.count >= 8 else {
                    try report(LogError(.badHeader, at: blockLocation, "pcapng interface block is too short"))
                    continue
                }
                var interface = PcapngInterface(linkType: LinkType(rawValue: UInt32(body.integer16(at: 0, littleEndian: little))))
                Self.readInterfaceOptions(UnsafeRawBufferPointer(rebasing: body[8...]), littleEndian: little, into: &interface)
                if pcapng.interfaces.count < PcapngState.maximumInterfaces { pcapng.interfaces.append(interface) }
                continue
            case 6, 2:  // Enhanced Packet Block, obsolete Packet Block
                guard body.count >= 20 else {
                    result = .failure(.truncated("packet block header"))
                    break
                }
                let interfaceID =
                    type == 6 ? Int(body.integer32(at: 0, littleEndian: little)) : Int(body.integer16(at: 0, littleEndian: little))
                let ticks = UInt64(body.integer32(at: 4, littleEndian: little)) << 32
                    | UInt64(body.integer32(at: 8, littleEndian: little))
                let capturedLength = Int(body.integer32(at: 12, littleEndian: little))
                guard interfaceID < pcapng.interfaces.count else {
                    result = .failure(.invalid("packet on undeclared interface \(interfaceID)"))
                    break
                }
                guard capturedLength <= body.count - 20 else {
                    result = .failure(.truncated("captured data (\(capturedLength) bytes announced)"))
                    break
                }
                let interface = pcapng.interfaces[interfaceID]
                result = packets.decode(
                    UnsafeRawBufferPointer(rebasing: body[20..<(20 + capturedLength)]), linkType: interface.linkType,
                    timestamp: Self.timestamp(ticks, interface), interface: interface.name)
            case 3:  // Simple Packet Block: interface 0, no timestamp
                guard body.count >= 4, let interface = pcapng.interfaces.first else {
                    result = .failure(.invalid("simple packet block without an interface"))
                    break
                }
                let originalLength = Int(body.integer32(at: 0, littleEndian: little))
                let packet = UnsafeRawBufferPointer(rebasing: body[4..<(4 + min(originalLength, body.count - 4))])
                result = packets.decode(packet, linkType: interface.linkType, timestamp: nil, interface: interface.name)
            default:
                otherBlocks += 1
                continue
            }
            switch result {
            case .success(let frame): return frame
            case .failure(let problem): try report(LogError(problem.code, at: blockLocation, problem.message))
            case nil: continue
            }
        }
    }

    private static func readInterfaceOptions(
        _ options: UnsafeRawBufferPointer, littleEndian: Bool, into interface: inout PcapngInterface
    ) {
        var offset = 0
        while offset + 4 <= options.count {
            let code = options.integer16(at: offset, littleEndian: littleEndian)
            let length = Int(options.integer16(at: offset + 2, littleEndian: littleEndian))
            let valueStart = offset + 4
            guard code != 0, valueStart + length <= options.count else { return }
            let value = UnsafeRawBufferPointer(rebasing: options[valueStart..<(valueStart + length)])
            switch code {
            case 2 where length > 0 && length <= InterfaceNameCache.maximumLength:  // if_name
                let bytes = value.prefix { $0 != 0 }
                interface.name = String(decoding: bytes, as: UTF8.self)
            case 9 where length >= 1:  // if_tsresol
                interface.decimalResolution = value[0] & 0x80 == 0
                interface.resolutionExponent = Int(value[0] & 0x7F)
            case 14 where length >= 8:  // if_tsoffset
                let high = UInt64(value.integer32(at: littleEndian ? 4 : 0, littleEndian: littleEndian))
                let low = UInt64(value.integer32(at: littleEndian ? 0 : 4, littleEndian: littleEndian))
                interface.offsetSeconds = Int64(bitPattern: high << 32 | low)
            default:
                break
            }
            offset = valueStart + (length + 3) & ~3
        }
    }

    private static func timestamp(_ ticks: UInt64, _ interface: PcapngInterface) -> Duration {
        let exponent = interface.resolutionExponent
        let offset = Duration.seconds(interface.offsetSeconds)
        let time: Duration
        if interface.decimalResolution, exponent <= 18 {
            var unitsPerSecond: UInt64 = 1
            for _ in 0..<exponent { unitsPerSecond *= 10 }
            let seconds = ticks / unitsPerSecond
            let attoseconds = (ticks % unitsPerSecond) * (1_000_000_000_000_000_000 / unitsPerSecond)
            time = Duration(secondsComponent: Int64(clamping: seconds), attosecondsComponent: Int64(attoseconds)) + offset
        } else {
            let seconds: Double =
                interface.decimalResolution
                ? Double(ticks) / pow(10, Double(exponent)) : Double(ticks) / pow(2, Double(exponent))
            time = .seconds(seconds) + offset
        }
        // A corrupt block (huge ticks, a coarse resolution, an offset) can give more seconds than Int64 holds,
        // and `Duration.components`, which every consumer uses, traps on those: clamp to what it represents.
        return min(max(time, .seconds(Int64.min)), .seconds(Int64.max))
    }
}

extension UnsafeRawBufferPointer {
    @inline(__always)
    func integer32(at offset: Int, littleEndian: Bool) -> UInt32 {
        let value = loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return littleEndian ? UInt32(littleEndian: value) : UInt32(bigEndian: value)
    }

    @inline(__always)
    func integer16(at offset: Int, littleEndian: Bool) -> UInt16 {
        let value = loadUnaligned(fromByteOffset: offset, as: UInt16.self)
        return littleEndian ? UInt16(littleEndian: value) : UInt16(bigEndian: value)
    }
}
