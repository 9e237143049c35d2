#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where a ``LogReader`` gets its bytes: a file descriptor, chunks in memory, a gzip decoder over another
/// source. A source fills the buffer it is given and returns how many bytes it wrote; 0 means the end.
public protocol ByteSource {
    /// Reads at most `buffer.count` bytes into `buffer`; returns 0 at the end of the input.
    ///
    /// - Throws: ``LogError`` with code `readFailed` or `badCompressedData`.
    mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(LogError) -> Int
}

/// Reads a file or standard input through `read(2)`: the one place in CANLog that does file I/O.
public final class FileByteSource: ByteSource {
    private let descriptor: Int32
    private let ownsDescriptor: Bool
    private let name: String

    /// Opens `path` for reading; `-` means standard input.
    ///
    /// - Throws: ``LogError`` with code `fileNotFound` when there is no such file, `readFailed` otherwise.
    public init(path: String) throws(LogError) {
        name = path == "-" ? "<stdin>" : path
        if path == "-" {
            descriptor = STDIN_FILENO
            ownsDescriptor = false
            return
        }
        let opened = open(path, O_RDONLY | O_CLOEXEC)
        guard opened >= 0 else {
            let number = errno
            let code: LogError.Code = number == ENOENT || number == ENOTDIR ? .fileNotFound : .readFailed
            throw LogError(code, at: LogLocation(file: path), "cannot open: " + String(cString: strerror(number)))
        }
        var status = stat()
        if fstat(opened, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            close(opened)
            throw LogError(.readFailed, at: LogLocation(file: path), "cannot read: it is a directory")
        }
        descriptor = opened
        ownsDescriptor = true
    }

    deinit {
        if ownsDescriptor { close(descriptor) }
    }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(LogError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            #if canImport(Glibc)
                let count = Glibc.read(descriptor, base, buffer.count)
            #elseif canImport(Musl)
                let count = Musl.read(descriptor, base, buffer.count)
            #else
                let count = Darwin.read(descriptor, base, buffer.count)
            #endif
            if count >= 0 { return count }
            let number = errno
            if number == EINTR { continue }
            throw LogError(.readFailed, at: LogLocation(file: name), "cannot read: " + String(cString: strerror(number)))
        }
    }
}

/// Reads one byte range of an open file with `pread(2)`, so several readers can share a descriptor: how a
/// large log is read by several threads, each from its own stretch. The descriptor stays the caller's.
public struct FileRangeByteSource: ByteSource {
    private let descriptor: Int32
    private var offset: Int
    private let end: Int
    private let name: String

    /// A source for bytes `range` of the file open as `descriptor`; `name` is used in messages.
    public init(descriptor: Int32, range: Range<Int>, name: String) {
        self.descriptor = descriptor
        offset = range.lowerBound
        end = range.upperBound
        self.name = name
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(LogError) -> Int {
        guard let base = buffer.baseAddress, offset < end else { return 0 }
        while true {
            let count = pread(descriptor, base, min(buffer.count, end - offset), off_t(offset))
            if count >= 0 {
                offset += count
                return count
            }
            let number = errno
            if number == EINTR { continue }
            throw LogError(.readFailed, at: LogLocation(file: name), "cannot read: " + String(cString: strerror(number)))
        }
    }
}

/// Bytes held in memory, handed out in the chunks they were given (so tests can feed a reader in any
/// chunking, one byte at a time included).
public struct MemoryByteSource: ByteSource {
    private var chunks: [[UInt8]]
    private var chunkIndex = 0
    private var offset = 0

    /// A source that returns `chunks` one after another; a read never spans two chunks.
    public init(chunks: [[UInt8]]) { self.chunks = chunks }

    /// A source that returns `bytes` in pieces of `chunkSize` bytes (all at once when nil).
    public init(_ bytes: [UInt8], chunkSize: Int? = nil) {
        guard let chunkSize, chunkSize > 0 else {
            chunks = [bytes]
            return
        }
        chunks = stride(from: 0, to: bytes.count, by: chunkSize).map {
            Array(bytes[$0..<min($0 + chunkSize, bytes.count)])
        }
    }

    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) throws(LogError) -> Int {
        while chunkIndex < chunks.count, offset >= chunks[chunkIndex].count {
            chunkIndex += 1
            offset = 0
        }
        guard chunkIndex < chunks.count else { return 0 }
        let count = min(buffer.count, chunks[chunkIndex].count - offset)
        chunks[chunkIndex].withUnsafeBytes { source in
            buffer.baseAddress!.copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }
}
