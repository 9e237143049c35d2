import ArgumentParser
import DTC
import Interpretation

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

    @OptionGroup var knowledgeBaseOptions: KnowledgeBaseOptions

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
        let knowledgeBase = try knowledgeBaseOptions.load()
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
}

