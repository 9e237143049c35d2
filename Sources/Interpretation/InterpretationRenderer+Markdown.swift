extension InterpretationRenderer {
    /// Interpretations as Markdown: one `##` section per code or symptom, sources as a numbered list.
    public func markdown(_ interpretations: [Interpretation]) -> String {
        let numbering = SourceNumbering(interpretations)
        var lines: [String] = []
        for interpretation in interpretations {
            if !lines.isEmpty { lines.append("") }
            lines.append("## \(Self.escaped(interpretation.heading))")
            lines += markdownBody(interpretation, numbering: numbering, level: "###")
        }
        lines += markdownSources(numbering)
        return lines.joined(separator: "\n") + "\n"
    }

    /// A triage plan as Markdown: one `###` section per finding, in order.
    public func markdown(_ plan: TriagePlan) -> String {
        let numbering = SourceNumbering(plan.items.map(\.interpretation))
        var lines = ["## Vehicle triage plan", ""]
        lines.append(
            plan.isClean
                ? "No trouble codes, no silent ECU and no bus fault were found; the checks below cover Remote "
                    + "Connect without a code."
                : "Work through the findings in this order: network communication first, then the DCM, the head "
                    + "unit, other systems and the account side; current faults before history.")
        for (index, item) in plan.items.enumerated() {
            lines.append("")
            lines.append("### \(index + 1). \(Self.escaped(item.headline))")
            lines.append("")
            var facts = ["- **Category:** \(item.category.heading)" + (item.kind == .accountChecks ? "" : ", \(item.state)")]
            for report in item.reports {
                let detail = item.kind == .troubleCode ? " (\(DTCStatusText.describe(report)))" : ""
                facts.append("- **Reported by:** \(Self.escaped(report.ecu.description))\(detail)")
            }
            for note in item.notes {
                facts.append("- **Note:** \(Self.escaped(note.text)) \(numbering.marker(note.source))")
            }
            lines += facts
            lines += markdownBody(item.interpretation, numbering: numbering, level: "####")
        }
        lines += markdownSources(numbering)
        return lines.joined(separator: "\n") + "\n"
    }

    private func markdownBody(
        _ interpretation: Interpretation, numbering: SourceNumbering, level: String
    ) -> [String] {
        var lines: [String] = []
        var table: [(String, String)] = []
        if let codeFacts = interpretation.codeFacts { table.append(("Code", codeFacts)) }
        if interpretation.dtc != nil { table.append(("Matched", interpretation.matchDescription)) }
        if let system = interpretation.system { table.append(("System", system)) }
        if let storedBy = interpretation.storedBy { table.append(("Stored by", storedBy)) }
        if let severity = interpretation.remoteConnectSeverity { table.append(("Remote Connect", severity.rawValue)) }
        if let inherited = interpretation.inheritedFrom { table.append(("Advice from", "the \(inherited) entry")) }
        if !table.isEmpty {
            lines.append("")
            lines.append("| | |")
            lines.append("|---|---|")
            for (label, value) in table { lines.append("| \(label) | \(Self.escaped(value, inTable: true)) |") }
        }
        if !interpretation.meanings.isEmpty {
            lines += ["", "\(level) Meaning", ""]
            for meaning in interpretation.meanings {
                lines.append("- \(Self.escaped(meaning.text)) \(numbering.marker(meaning.source))")
            }
            for note in interpretation.notes {
                lines.append("")
                lines.append("> **Note:** \(Self.escaped(note.text)) \(numbering.marker(note.source))")
            }
        }
        if !interpretation.causes.isEmpty {
            lines += ["", "\(level) Likely causes", ""]
            for cause in interpretation.causes {
                lines.append("- \(Self.escaped(cause.text)) \(numbering.marker(cause.source))")
            }
        }
        lines += ["", "\(level) Fix path", ""]
        if interpretation.fixPath.isEmpty {
            lines.append("CarDiag's knowledge base has no fix path for this code.")
        }
        for (index, step) in interpretation.fixPath.enumerated() {
            lines.append("\(index + 1). \(Self.escaped(step.action)) \(numbering.marker(step.source))")
            lines.append("   - *Who:* \(step.who.map(\.label).joined(separator: ", "))")
            lines.append("   - *Verify:* \(Self.escaped(step.verify))")
            lines.append("   - *If not:* \(Self.escaped(step.ifNot))")
        }
        if !interpretation.related.isEmpty {
            lines += ["", "\(level) Related codes", "", interpretation.related.joined(separator: ", ")]
        }
        return lines
    }

    private func markdownSources(_ numbering: SourceNumbering) -> [String] {
        guard !numbering.sources.isEmpty else { return [] }
        var lines = ["", "## Sources", ""]
        for source in numbering.sources {
            var text = "\(numbering.marker(source.id)) "
            if let file = source.file {
                text += "`\(file)`" + (source.section.map { " § \"\(Self.escaped($0))\"" } ?? "")
            } else if let url = source.url {
                text += "[\(Self.escaped(source.title))](\(url.split(separator: ")", omittingEmptySubsequences: false).joined(separator: "%29")))"
            } else {
                text += Self.escaped(source.title)
            }
            lines.append("- " + text)
        }
        return lines
    }

    /// Escapes the characters Markdown would read as markup (and `|` inside tables).
    static func escaped(_ text: String, inTable: Bool = false) -> String {
        var result = ""
        for character in text {
            switch character {
            case "*", "_", "`", "<", "[", "]", "\\": result.append("\\")
            case "|" where inTable: result.append("\\")
            default: break
            }
            result.append(character)
        }
        return result
    }
}
