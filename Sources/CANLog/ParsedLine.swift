public import CANCore

/// What a line parser made of one line of text.
public enum ParsedLine: Hashable, Sendable {
    /// The line held a frame.
    case frame(CANFrame)
    /// The line was empty or only blanks.
    case blank
    /// The line was part of the format but not a frame: a header, a comment, a status event, the
    /// explanation candump prints under an error frame.
    case metadata
}

/// A parser for one line-based log format. Parsers keep what earlier lines told them (a CSV header's
/// columns, an ASC file's number base), so one parser must see the lines of one log in order.
///
/// Parsers work on a borrowed byte slice without the line terminator (a trailing carriage return is
/// allowed), so a caller can split a file into chunks at line boundaries and parse each with its own parser.
public protocol LogLineParser {
    /// Parses one line.
    ///
    /// - Throws: ``LineSyntaxError`` naming the column and what was expected there.
    mutating func parse(line: UnsafeRawBufferPointer) throws(LineSyntaxError) -> ParsedLine
}

extension LogLineParser {
    /// Parses one line given as bytes (for tests and tools; the reader uses the borrowed form).
    public mutating func parse(line: some Collection<UInt8>) throws(LineSyntaxError) -> ParsedLine {
        let bytes = Array(line)
        do {
            return try bytes.withUnsafeBytes { raw in try self.parse(line: raw) }
        } catch let error as LineSyntaxError {
            throw error
        } catch {
            preconditionFailure("line parsers throw only LineSyntaxError")
        }
    }
}

extension UnsafeRawBufferPointer {
    /// The slice without a trailing carriage return (logs written on Windows end lines with CR LF).
    @inline(__always)
    var droppingCarriageReturn: UnsafeRawBufferPointer {
        if let last = self.last, last == 0x0D { return UnsafeRawBufferPointer(rebasing: self[0..<(count - 1)]) }
        return self
    }
}
