import CZlib

/// Decompresses gzip (RFC 1952) from another source through the system zlib, one buffer at a time.
/// Concatenated gzip members (what `cat a.gz b.gz` makes) are read one after another.
public final class GzipByteSource: ByteSource {
    private var base: any ByteSource
    private let name: String
    // zlib keeps a pointer back to the stream, so the z_stream must not move: it lives on the heap.
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var inputEnd = false
    private var memberEnded = false
    private var finished = false
    private var compressedOffset = 0
    /// An error met by an inflate call that also produced output: the output is returned first, the error on
    /// the next read, so every byte before a corruption is delivered however the reads are sized.
    private var pendingError: LogError?

    /// Decompresses `base`; `prefix` holds bytes already read from it (a format sniffer's look-ahead).
    ///
    /// - Parameters:
    ///   - base: the compressed input.
    ///   - prefix: bytes already read from `base`, decompressed first.
    ///   - name: the input's name for error messages.
    ///   - inputBufferSize: how many compressed bytes are read from `base` at a time.
    public init(base: any ByteSource, prefix: [UInt8] = [], name: String, inputBufferSize: Int = 1 << 16) {
        self.base = base
        self.name = name
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: max(inputBufferSize, prefix.count), alignment: 16)
        prefix.withUnsafeBytes { input.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: prefix.count) }
        stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = UInt32(prefix.count)
        // 15 + 32: the largest window, and detect the gzip (or zlib) header automatically.
        let status = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        precondition(status == Z_OK, "zlib inflateInit2 failed: \(status)")
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LogError) -> Int {
        if let pendingError {
            self.pendingError = nil
            finished = true
            throw pendingError
        }
        guard !finished, let out = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = out.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = UInt32(min(buffer.count, Int(UInt32.max)))
        while stream.pointee.avail_out == UInt32(min(buffer.count, Int(UInt32.max))) {
            if stream.pointee.avail_in == 0, !inputEnd {
                let count = try base.read(into: input)
                if count == 0 {
                    inputEnd = true
                } else {
                    stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                    stream.pointee.avail_in = UInt32(count)
                }
            }
            if memberEnded {
                // Another member follows only if more bytes do.
                if stream.pointee.avail_in == 0 && inputEnd {
                    finished = true
                    return 0
                }
                if stream.pointee.avail_in == 0 { continue }
                inflateReset(stream)
                memberEnded = false
            }
            let before = stream.pointee.avail_in
            let status = inflate(stream, Z_NO_FLUSH)
            compressedOffset += Int(before - stream.pointee.avail_in)
            switch status {
            case Z_OK:
                break
            case Z_STREAM_END:
                memberEnded = true
            case Z_BUF_ERROR:
                // No progress possible: out of input.
                if inputEnd {
                    return try fail(
                        LogError(
                            .badCompressedData, at: LogLocation(file: name, byteOffset: compressedOffset),
                            "gzip data ends in the middle of a member (truncated file?)"), producedInto: buffer)
                }
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
                return try fail(
                    LogError(
                        .badCompressedData, at: LogLocation(file: name, byteOffset: compressedOffset),
                        "corrupt gzip data: \(message)"), producedInto: buffer)
            }
        }
        return buffer.count - Int(stream.pointee.avail_out)
    }

    /// Throws `error` now when this read produced nothing, else returns what it produced and keeps the error
    /// for the next read (zlib checks the CRC after inflating the member's last bytes, in the same call).
    private func fail(_ error: LogError, producedInto buffer: UnsafeMutableRawBufferPointer) throws(LogError) -> Int {
        let produced = buffer.count - Int(stream.pointee.avail_out)
        guard produced > 0 else {
            finished = true
            throw error
        }
        pendingError = error
        return produced
    }
}
