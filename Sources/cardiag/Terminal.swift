import CANCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exit statuses cardiag uses (the sysexits.h values where one fits).
enum ExitStatus: Int32 {
    case success = 0
    /// Command-line usage error (EX_USAGE).
    case usage = 64
    /// Bad input data under `--strict` (EX_DATAERR).
    case dataError = 65
    /// An input file does not exist or cannot be opened (EX_NOINPUT).
    case noInput = 66
    /// An internal error (EX_SOFTWARE).
    case software = 70
}

/// The one owner of stdout and stderr: buffered writes to standard output, unbuffered diagnostics on
/// standard error, and whether each is a terminal (for colour and progress).
final class Terminal: Sendable {
    static let shared = Terminal()

    /// Standard output not yet written. Behind a lock: commands are async and may write from any task
    /// (`AdaptersCommand`, `LinkCommand`), so nothing here relies on a single caller.
    private let outputBuffer = Locked<[UInt8]>([])
    private let flushThreshold = 1 << 16

    /// True when standard error is a terminal (progress lines are shown only then).
    let stderrIsTerminal = isatty(STDERR_FILENO) == 1
    /// True when standard output is a terminal (colour is used only then).
    let stdoutIsTerminal = isatty(STDOUT_FILENO) == 1

    /// Appends `text` and a newline to standard output.
    func line(_ text: String) {
        outputBuffer.withLock { buffer in
            buffer.append(contentsOf: text.utf8)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= flushThreshold { Self.flush(&buffer) }
        }
    }

    /// Appends raw bytes to standard output.
    func write(_ bytes: some Sequence<UInt8>) {
        outputBuffer.withLock { buffer in
            buffer.append(contentsOf: bytes)
            if buffer.count >= flushThreshold { Self.flush(&buffer) }
        }
    }

    /// Writes a line to standard error at once (after flushing standard output, to keep the order).
    func diagnostic(_ text: String) {
        outputBuffer.withLock { buffer in
            Self.flush(&buffer)
            Self.writeAll(STDERR_FILENO, Array((text + "\n").utf8))
        }
    }

    /// Writes a progress line to standard error without a newline (callers only do so on a terminal).
    func progress(_ text: String) {
        Self.writeAll(STDERR_FILENO, Array(text.utf8))
    }

    /// Writes out everything buffered for standard output.
    func flush() {
        outputBuffer.withLock { Self.flush(&$0) }
    }

    private static func flush(_ buffer: inout [UInt8]) {
        guard !buffer.isEmpty else { return }
        writeAll(STDOUT_FILENO, buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // EPIPE and friends: the reader went away; nothing sensible left to do
                }
                offset += written
            }
        }
    }
}

extension Terminal {
    /// The width to wrap text to: `COLUMNS` when set, the terminal's width when standard output is one, else 80.
    var columns: Int {
        if let text = getenv("COLUMNS").map({ String(cString: $0) }), let value = Int(text), value > 0 {
            return value
        }
        guard stdoutIsTerminal else { return 80 }
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }
}
