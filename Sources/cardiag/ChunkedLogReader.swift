import CANCore
import CANLog
import Dispatch

#if canImport(Glibc)
    import Glibc
#endif

/// Reads a plain candump log file on several threads: the file is cut into stretches at line starts, each
/// stretch is read by its own ``LogReader`` (with the caller's ``FrameSelection``, so most lines are only
/// checked and counted), and the selected frames come out of ``next()`` in input order, with the counts and
/// issues of all stretches added up as one reader over the whole file would have them.
///
/// Why the result is the same as one reader's: a candump line's parse depends on nothing but the line (the
/// parser's only state is a cache of interface names), every stretch starts at a line start, and the reader
/// splits lines at `\n` only; so each line is parsed exactly once, the same way. The reassembly and decoding
/// that follow stay on one thread and see the same frames in the same order, and ISO-TP state never needs
/// to cross a stretch boundary. Line numbers in issues are made absolute by adding the lines of earlier
/// stretches. `Tests/cardiagTests/ChunkedDecodeTests` checks the claim at every byte offset of every fixture.
final class ChunkedLogReader {
    /// One stretch's frames and counts.
    struct Stretch: Sendable {
        var frames: [CANFrame] = []
        var framesPassedOver = 0
        var lastTimestamp: Duration?
        var linesRead = 0
        var skipped = 0
        var timestampRegressions = 0
        var issues: [LogError] = []
        var bytesRead = 0
        var failure: LogError?
    }

    let name: String
    let format = LogFormat.candumpLog
    let isCompressed = false
    private(set) var framesRead = 0
    private(set) var framesPassedOver = 0
    private(set) var lastTimestamp: Duration?
    private(set) var skipped = 0
    /// Timestamps earlier than the one before, within each stretch (a regression exactly at a cut is not seen).
    private(set) var timestampRegressions = 0
    private(set) var issues: [LogError] = []
    private(set) var bytesRead = 0

    private let options: LogReader.Options
    private let board: Board
    private var current = Stretch()
    private var position = 0
    private var nextIndex = 0
    private var linesBefore = 0

    private let descriptor: Int32

    /// Starts reading `path`, a regular file of `fileSize` bytes, cut at the line starts at or after each of
    /// `cuts`, with `jobs` threads; nil when it cannot be opened.
    init?(path: String, fileSize: Int, cuts: [Int], jobs: Int, options: LogReader.Options) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        self.descriptor = descriptor
        name = path
        var options = options
        options.format = .candumpLog
        options.detectsCompression = false
        options.strict = false
        self.options = options
        let starts = Self.lineStarts(descriptor: descriptor, fileSize: fileSize, cuts: cuts)
        var ranges: [Range<Int>] = []
        for (index, start) in starts.enumerated() {
            ranges.append(start..<(index + 1 < starts.count ? starts[index + 1] : fileSize))
        }
        board = Board(ranges: ranges, window: jobs + 2)
        let (board, stretches, readerOptions) = (board, ranges, options)
        for _ in 0..<max(1, jobs) {
            DispatchQueue.global().async {
                while let index = board.claim() {
                    board.deliver(
                        index, Self.read(descriptor: descriptor, range: stretches[index], name: path, options: readerOptions))
                }
            }
        }
    }

    deinit {
        board.cancel()
        close(descriptor)
    }

    /// Cuts of `length` bytes each: what `--jobs` uses.
    static func evenCuts(fileSize: Int, length: Int) -> [Int] {
        Array(stride(from: length, to: fileSize, by: max(1, length)))
    }

    /// The next selected frame in input order, or nil at the end.
    func next() throws(LogError) -> CANFrame? {
        while position == current.frames.count {
            guard nextIndex < board.count else { return nil }
            let stretch = board.take(nextIndex)
            nextIndex += 1
            if let failure = stretch.failure { throw failure }
            framesPassedOver += stretch.framesPassedOver
            if let time = stretch.lastTimestamp { lastTimestamp = time }
            skipped += stretch.skipped
            timestampRegressions += stretch.timestampRegressions
            for var issue in stretch.issues where issues.count < options.maximumIssuesKept {
                issue.location.line = issue.location.line.map { $0 + linesBefore }
                issues.append(issue)
            }
            linesBefore += stretch.linesRead
            bytesRead += stretch.bytesRead
            current = stretch
            position = 0
        }
        position += 1
        framesRead += 1
        return current.frames[position - 1]
    }

    private static func read(descriptor: Int32, range: Range<Int>, name: String, options: LogReader.Options) -> Stretch {
        var stretch = Stretch()
        do {
            let reader = try LogReader(source: FileRangeByteSource(descriptor: descriptor, range: range, name: name), name: name, options: options)
            while let frame = try reader.next() { stretch.frames.append(frame) }
            stretch.framesPassedOver = reader.framesPassedOver
            stretch.lastTimestamp = reader.lastTimestamp
            stretch.linesRead = reader.linesRead
            stretch.skipped = reader.skipped
            stretch.timestampRegressions = reader.timestampRegressions
            stretch.issues = reader.issues
            stretch.bytesRead = reader.bytesRead
        } catch {
            stretch.failure = error
        }
        return stretch
    }

    /// The first line start at or after each cut (a line start is offset 0 or just after a `\n`), deduplicated,
    /// with 0 first.
    static func lineStarts(descriptor: Int32, fileSize: Int, cuts: [Int]) -> [Int] {
        var starts = [0]
        var window = [UInt8](repeating: 0, count: 1 << 16)
        for cut in cuts.sorted() where cut > starts.last! && cut < fileSize {
            // Line start at or after `cut`: just past the first '\n' at or after cut - 1.
            var offset = cut - 1
            var found: Int?
            while found == nil, offset < fileSize {
                let count = window.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress!, $0.count, off_t(offset)) }
                guard count > 0 else { break }
                if let index = window[0..<count].firstIndex(of: 0x0A) { found = offset + index + 1 }
                offset += count
            }
            guard let start = found, start < fileSize else { break }
            if start > starts.last! { starts.append(start) }
        }
        return starts
    }
}

/// What `cardiag decode` reads frames from: one ``LogReader``, or a ``ChunkedLogReader`` over several threads.
protocol FrameInput: AnyObject {
    var name: String { get }
    var format: LogFormat { get }
    var isCompressed: Bool { get }
    var framesRead: Int { get }
    var framesPassedOver: Int { get }
    var lastTimestamp: Duration? { get }
    var skipped: Int { get }
    var timestampRegressions: Int { get }
    var issues: [LogError] { get }
    var bytesRead: Int { get }
    func next() throws(LogError) -> CANFrame?
}

extension LogReader: FrameInput {}
extension ChunkedLogReader: FrameInput {}

/// Stretches handed between the reading threads and the consumer, at most `window` ahead of it.
///
/// `@unchecked Sendable`: every `var` below is read and written only between `pthread_mutex_lock(mutex)` and
/// `pthread_mutex_unlock(mutex)` (in `claim`, `deliver`, `take` and `cancel`); `count` and `window` are `let`.
/// A pthread mutex and condition, not `Mutex`, because the reading threads wait on the condition.
private final class Board: @unchecked Sendable {
    let count: Int
    private let window: Int
    private var nextClaim = 0
    private var taken = 0
    private var results: [Int: ChunkedLogReader.Stretch] = [:]
    private var cancelled = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(ranges: [Range<Int>], window: Int) {
        count = ranges.count
        self.window = window
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
        condition.deallocate()
    }

    /// Lets waiting readers stop: nothing more is claimed.
    func cancel() {
        pthread_mutex_lock(mutex)
        cancelled = true
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// The next stretch to read, once it is within the window; nil when all are claimed.
    func claim() -> Int? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !cancelled, nextClaim < count, nextClaim >= taken + window { pthread_cond_wait(condition, mutex) }
        guard !cancelled, nextClaim < count else { return nil }
        nextClaim += 1
        return nextClaim - 1
    }

    func deliver(_ index: Int, _ stretch: ChunkedLogReader.Stretch) {
        pthread_mutex_lock(mutex)
        results[index] = stretch
        pthread_cond_broadcast(condition)
        pthread_mutex_unlock(mutex)
    }

    /// Waits for stretch `index` and removes it.
    func take(_ index: Int) -> ChunkedLogReader.Stretch {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while results[index] == nil { pthread_cond_wait(condition, mutex) }
        taken = index + 1
        pthread_cond_broadcast(condition)
        return results.removeValue(forKey: index)!
    }
}
