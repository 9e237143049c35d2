/// Renders interpretations and triage plans for people (text wrapped to a width, or Markdown) and for
/// scripts (JSON in a versioned schema). The CLI's `explain`, `decode` and `scan` all print through it.
///
/// Sources are numbered `[1]`, `[2]`... in order of first use across the whole document and listed at the
/// end.
public struct InterpretationRenderer: Sendable {
    /// The output formats.
    public enum Format: String, Sendable, CaseIterable {
        /// A repair-manual page wrapped to ``InterpretationRenderer/width``.
        case text
        /// The versioned JSON document (see ``InterpretationRenderer/jsonSchemaVersion``).
        case json
        /// GitHub-flavoured Markdown.
        case markdown
    }

    /// The version of the JSON document; bumped on any incompatible change.
    public static let jsonSchemaVersion = 1

    /// The line width for text output (at least 40).
    public var width: Int

    /// Creates a renderer for a line width (80 when output is not a terminal).
    public init(width: Int = 80) {
        self.width = max(40, width)
    }

    /// One or more code or symptom interpretations in a format. The result ends with a newline.
    public func render(_ interpretations: [Interpretation], as format: Format) -> String {
        switch format {
        case .text: return text(interpretations)
        case .markdown: return markdown(interpretations)
        case .json: return json(interpretations)
        }
    }

    /// A triage plan in a format. The result ends with a newline.
    public func render(_ plan: TriagePlan, as format: Format) -> String {
        switch format {
        case .text: return text(plan)
        case .markdown: return markdown(plan)
        case .json: return json(plan)
        }
    }
}

/// Numbers sources in order of first use.
struct SourceNumbering {
    private(set) var sources: [Source] = []
    private var numbers: [String: Int] = [:]

    init(_ interpretations: [Interpretation]) {
        for interpretation in interpretations {
            for source in interpretation.sources where numbers[source.id] == nil {
                sources.append(source)
                numbers[source.id] = sources.count
            }
        }
    }

    /// `[n]` for a source id.
    func marker(_ id: String) -> String { "[\(numbers[id] ?? 0)]" }
    func number(_ id: String) -> Int { numbers[id] ?? 0 }
}

extension Interpretation {
    /// How the entry was chosen, in words.
    var matchDescription: String {
        let pattern = matchedPattern ?? ""
        switch match {
        case .codeWithFailureType: return "\(pattern) (code with failure type)"
        case .code: return "\(pattern) (exact code)"
        case .family:
            return "\(pattern) family: no public definition of \(subject) is known; the advice is the family's"
        case .range:
            return "\(pattern) range: \(subject) has no entry of its own; the advice is the range's"
        case .symptom: return "symptom \"\(subject)\""
        case .generic: return "nothing in the knowledge base (generic answer from the code's structure)"
        }
    }

    /// The heading: `B15C4  Airbag Signal Malfunction/Not Input`.
    var heading: String { "\(subject) — \(title)" }
}

extension Actor {
    /// The label in output.
    var label: String {
        switch self {
        case .owner: return "owner"
        case .shop: return "shop"
        case .dealer: return "dealer"
        }
    }
}

/// Status texts for reports.
enum DTCStatusText {
    static func describe(_ report: TriageItem.Report) -> String {
        guard let status = report.status else {
            // OBD and KWP codes: the state their protocol gave (the OBD mode, the KWP status byte), if any.
            return report.state == .unknown ? "no status reported" : "\(report.state), no status byte"
        }
        return "status \(ECUIdentity.hex(UInt32(status.rawValue), digits: 2)): \(status.summary)"
    }
}
