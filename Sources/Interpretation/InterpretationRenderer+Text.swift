extension InterpretationRenderer {
    /// Interpretations as repair-manual pages: heading, facts, meanings with source markers, causes,
    /// numbered fix steps (who, how to verify, what if not), related codes, and the sources at the end.
    public func text(_ interpretations: [Interpretation]) -> String {
        let numbering = SourceNumbering(interpretations)
        var page = TextPage(width: width)
        for (index, interpretation) in interpretations.enumerated() {
            if index > 0 { page.blank() }
            page.title(interpretation.heading, underline: "=")
            body(interpretation, numbering: numbering, indent: "", page: &page)
        }
        sourceList(numbering, page: &page)
        return page.rendered
    }

    /// A triage plan: one numbered group per finding, in the order to work through them.
    public func text(_ plan: TriagePlan) -> String {
        let numbering = SourceNumbering(plan.items.map(\.interpretation))
        var page = TextPage(width: width)
        page.title("Vehicle triage plan", underline: "=")
        let findings = plan.items.count - 1
        page.paragraph(
            plan.isClean
                ? "No trouble codes, no silent ECU and no bus fault were found. If Remote Connect still does not "
                    + "work, the problem is outside what a scan sees: work through the checks below."
                : "\(findings) finding\(findings == 1 ? "" : "s"), then the account checks, in the order to work "
                    + "through them: network communication first, then the DCM, the head unit, other systems "
                    + "and the account side; current faults before history.")
        for (index, item) in plan.items.enumerated() {
            page.blank()
            let number = "\(index + 1). "
            let indent = String(repeating: " ", count: number.count)
            page.title(number + item.headline, underline: "-", hanging: indent)
            page.field("Category", "\(item.category.heading)" + (item.kind == .accountChecks ? "" : ", \(item.state)"),
                indent: indent)
            for report in item.reports {
                let detail = item.kind == .troubleCode ? " (\(DTCStatusText.describe(report)))" : ""
                page.field("Reported by", "\(report.ecu)\(detail)", indent: indent)
            }
            for note in item.notes {
                page.paragraph("Note: \(note.text) \(numbering.marker(note.source))", indent: indent, hanging: "      ")
            }
            if item.kind == .troubleCode {
                page.field("Code", item.interpretation.codeFacts ?? "", indent: indent)
            }
            body(item.interpretation, numbering: numbering, indent: indent, page: &page, facts: false)
        }
        sourceList(numbering, page: &page)
        return page.rendered
    }

    private func body(
        _ interpretation: Interpretation, numbering: SourceNumbering, indent: String, page: inout TextPage,
        facts: Bool = true
    ) {
        if facts, let codeFacts = interpretation.codeFacts { page.field("Code", codeFacts, indent: indent) }
        if interpretation.dtc != nil { page.field("Matched", interpretation.matchDescription, indent: indent) }
        if let system = interpretation.system { page.field("System", system, indent: indent) }
        if let storedBy = interpretation.storedBy { page.field("Stored by", storedBy, indent: indent) }
        if let severity = interpretation.remoteConnectSeverity {
            page.field("Remote Connect", severity.rawValue, indent: indent)
        }
        if let inherited = interpretation.inheritedFrom {
            page.field("Advice from", "the \(inherited) entry", indent: indent)
        }
        if !interpretation.meanings.isEmpty {
            page.section("MEANING", indent: indent)
            for meaning in interpretation.meanings {
                page.paragraph(
                    "- \(meaning.text) \(numbering.marker(meaning.source))", indent: indent + "  ", hanging: "  ")
            }
            for note in interpretation.notes {
                page.paragraph(
                    "Note: \(note.text) \(numbering.marker(note.source))", indent: indent + "  ", hanging: "      ")
            }
        }
        if !interpretation.causes.isEmpty {
            page.section("LIKELY CAUSES", indent: indent)
            for cause in interpretation.causes {
                page.paragraph("- \(cause.text) \(numbering.marker(cause.source))", indent: indent + "  ", hanging: "  ")
            }
        }
        page.section("FIX PATH", indent: indent)
        if interpretation.fixPath.isEmpty {
            page.paragraph("CarDiag's knowledge base has no fix path for this code.", indent: indent + "  ")
        }
        let numberWidth = String(interpretation.fixPath.count).count
        for (index, step) in interpretation.fixPath.enumerated() {
            let digits = String(index + 1)
            let number = String(repeating: " ", count: numberWidth - digits.count) + digits + ". "
            let hanging = String(repeating: " ", count: number.count)
            page.lines += page.wrapper.wrap(
                "\(step.action) \(numbering.marker(step.source))", first: indent + "  " + number,
                rest: indent + "  " + hanging)
            let inner = indent + "  " + hanging
            page.field("Who", step.who.map(\.label).joined(separator: ", "), indent: inner, labelWidth: 8)
            page.field("Verify", step.verify, indent: inner, labelWidth: 8)
            page.field("If not", step.ifNot, indent: inner, labelWidth: 8)
        }
        if !interpretation.related.isEmpty {
            page.section("RELATED CODES", indent: indent)
            page.paragraph(interpretation.related.joined(separator: ", "), indent: indent + "  ")
        }
    }

    private func sourceList(_ numbering: SourceNumbering, page: inout TextPage) {
        guard !numbering.sources.isEmpty else { return }
        page.blank()
        page.title("SOURCES", underline: nil)
        for source in numbering.sources {
            let marker = numbering.marker(source.id) + " "
            let hanging = String(repeating: " ", count: marker.count)
            if source.file != nil {
                page.paragraph(marker + source.citation, indent: "  ", hanging: hanging)
            } else {
                page.paragraph(marker + source.title, indent: "  ", hanging: hanging)
                if let url = source.url { page.paragraph(url, indent: "  " + hanging) }
            }
        }
    }
}

/// Lines of a text page being built.
struct TextPage {
    let wrapper: TextWrapper
    var lines: [String] = []

    init(width: Int) { wrapper = TextWrapper(width: width) }

    var rendered: String { lines.joined(separator: "\n") + "\n" }

    mutating func blank() { lines.append("") }

    mutating func title(_ text: String, underline: Character?, hanging: String = "") {
        let wrapped = wrapper.wrap(text, rest: hanging)
        lines += wrapped
        if let underline {
            let length = min(wrapper.width, wrapped.map(\.count).max() ?? 0)
            lines.append(String(repeating: underline, count: length))
        }
    }

    mutating func section(_ name: String, indent: String) {
        lines.append("")
        lines.append(indent + name)
    }

    /// `Label:  value`, the value wrapped under itself.
    mutating func field(_ label: String, _ value: String, indent: String, labelWidth: Int = 16) {
        let head = indent + (label + ":").padding(toLength: labelWidth)
        lines += wrapper.wrap(value, first: head, rest: String(repeating: " ", count: head.count))
    }

    /// A paragraph; continuation lines are indented by `indent` plus `hanging`.
    mutating func paragraph(_ text: String, indent: String = "", hanging: String = "") {
        lines += wrapper.wrap(text, first: indent, rest: indent + hanging)
    }
}

extension String {
    /// Pads with spaces to `length` (no truncation), keeping at least one space after the text.
    fileprivate func padding(toLength length: Int) -> String {
        count >= length ? self + " " : self + String(repeating: " ", count: length - count)
    }
}
