public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The package's root folder, found from this file's place in the source tree (`Tests/TestSupport/`).
public let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// An executable product built beside the running test bundle (so a sanitized test run gets a sanitized
/// binary), else the one in the debug build folder.
public func builtExecutable(named name: String) -> URL {
    let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent(name)
    if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
    return packageRoot.appendingPathComponent(".build/debug/\(name)")
}

/// What a finished child process left: its exit status and everything it wrote.
public struct CommandRun: Sendable {
    /// The exit status (or the signal number when the process was killed).
    public var status: Int32
    /// Standard output, decoded as UTF-8 (invalid bytes replaced).
    public var stdout: String
    /// Standard error, decoded as UTF-8 (invalid bytes replaced).
    public var stderr: String

    /// Status, stdout and stderr in the layout of the golden files.
    public var transcript: String { "status: \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }

    /// Runs `executable` to completion. Standard output and error go to temporary files, not pipes, so a chatty
    /// child can never block on a full pipe and no reader thread is needed (the runs stay clean under
    /// ThreadSanitizer).
    ///
    /// - Parameters:
    ///   - executable: the program.
    ///   - arguments: its arguments.
    ///   - directory: its working directory; the package root unless given.
    ///   - environment: variables set on top of this process's environment.
    ///   - standardInput: a file read as standard input; none (end of file at once) unless given.
    public init(
        _ executable: URL, _ arguments: [String], in directory: URL = packageRoot,
        environment: [String: String] = [:], standardInput: URL? = nil
    ) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("cardiag-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let outURL = folder.appendingPathComponent("stdout")
        let errURL = folder.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        defer {
            try? out.close()
            try? err.close()
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = try standardInput.map { try FileHandle(forReadingFrom: $0) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        status = process.terminationStatus
        stdout = String(decoding: Self.contents(of: outURL.path), as: UTF8.self)
        stderr = String(decoding: Self.contents(of: errURL.path), as: UTF8.self)
    }

    /// A file's bytes through POSIX `read`: `Data(contentsOf:)` of this toolchain leaks its buffer
    /// (LeakSanitizer: FoundationEssentials `readBytesFromFile`), which would fail the sanitizer tier.
    static func contents(of path: String) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return [] }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += chunk[0..<count]
            } else if count == 0 || errno != EINTR {
                return bytes
            }
        }
    }
}

/// The third-party captures in `../shared/captures` beside the package (never copied into the repository;
/// absent on most machines, so tests that read them skip themselves).
public enum SharedCaptures {
    /// The folder.
    public static let folder = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/captures")

    /// Whether the folder is there.
    public static var available: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
