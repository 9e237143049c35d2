import ArgumentParser
import DTC
import FoundationEssentials
import Interpretation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `cardiag explain`: what trouble codes (or a symptom without a code) mean, who can fix them, in what order,
/// how to verify, and where each statement comes from.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Say what trouble codes mean and how to fix them, with the source of every statement.",
        discussion: """
            Codes may be written B15C4, B15C464 or B15C4-64. The answer comes from the most specific entry of \
            the knowledge base: code with failure type, exact code, family (B15xx), range (U0100-U0164), or a \
            generic answer from the code's structure when there is no entry.

            --knowledge-base FILE overlays a JSON file with the built-in schema: an entry with the id of a \
            built-in entry replaces it, any other entry is added, and on equal specificity the file's entry wins.
            """)

    /// The formats `--format` accepts.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case text, json, markdown

        var rendererFormat: InterpretationRenderer.Format {
            switch self {
            case .text: return .text
            case .json: return .json
            case .markdown: return .markdown
            }
        }
    }

    @Argument(help: "Trouble codes, such as B15C4, B15C464 or U1103.")
    var codes: [String] = []

    @Option(help: "Explain a symptom without a code: remote-connect or app-pairing.")
    var symptom: String?

    @Option(help: "Output format: text, json or markdown.")
    var format: Format = .text

    @Option(name: .customLong("knowledge-base"), help: "Overlay a knowledge-base JSON file (same schema).")
    var knowledgeBaseFile: String?

    func validate() throws {
        if codes.isEmpty && symptom == nil {
            throw ValidationError("Give at least one trouble code, or --symptom remote-connect|app-pairing.")
        }
        for code in codes where DiagnosticTroubleCode(code) == nil {
            throw ValidationError(
                "'\(code)' is not a trouble code: expected P, C, B or U, a digit 0-3 and three hex digits, "
                    + "optionally followed by a two-digit failure type (B15C4, B15C464, B15C4-64).")
        }
    }

    func run() throws {
        let knowledgeBase = try loadKnowledgeBase()
        var interpretations = codes.compactMap(DiagnosticTroubleCode.init).map(knowledgeBase.lookup)
        if let symptom {
            guard let interpretation = knowledgeBase.explain(symptom: symptom) else {
                let known = knowledgeBase.symptoms.joined(separator: ", ")
                throw ValidationError("Unknown symptom '\(symptom)'. Known symptoms: \(known).")
            }
            interpretations.append(interpretation)
        }
        let renderer = InterpretationRenderer(width: format == .text ? Terminal.shared.columns : 80)
        Terminal.shared.write(renderer.render(interpretations, as: format.rendererFormat).utf8)
        Terminal.shared.flush()
    }

    private func loadKnowledgeBase() throws -> KnowledgeBase {
        let builtIn: KnowledgeBase
        do {
            builtIn = try KnowledgeBase.builtIn()
        } catch {
            Terminal.shared.diagnostic("cardiag: built-in knowledge base: \(error)")
            throw ExitCode(ExitStatus.software.rawValue)
        }
        guard let path = knowledgeBaseFile else { return builtIn }
        guard let contents = FileManager.default.contents(atPath: path) else {
            Terminal.shared.diagnostic("cardiag: \(path): no such file, or it cannot be read")
            throw ExitCode(ExitStatus.noInput.rawValue)
        }
        do {
            return try builtIn.overlaying(fileNamed: path, contents: Array(contents))
        } catch {
            Terminal.shared.diagnostic("cardiag: \(error)")
            throw ExitCode(ExitStatus.dataError.rawValue)
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
