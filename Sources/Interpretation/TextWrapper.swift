/// Greedy word wrapping for terminal pages: words never split, a word longer than the line (a URL) gets a
/// line of its own.
struct TextWrapper {
    /// The line width in characters.
    var width: Int

    /// `text` wrapped to `width`, the first line starting with `first` and the others with `rest`.
    func wrap(_ text: String, first: String = "", rest: String = "") -> [String] {
        var lines: [String] = []
        var line = first
        var lineHasWord = false
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            let candidateCount = line.count + (lineHasWord ? 1 : 0) + word.count
            if lineHasWord && candidateCount > width {
                lines.append(line)
                line = rest
                lineHasWord = false
            }
            if lineHasWord { line += " " }
            line += word
            lineHasWord = true
        }
        lines.append(line)
        return lines
    }
}
