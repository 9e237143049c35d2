public import DTC

/// How current a finding is, from the status byte (`DTCStatus.summary`); earlier cases come first in
/// a plan.
public enum FindingState: String, Hashable, Sendable, CaseIterable, Comparable {
    /// Failing now (testFailed), or an ECU that does not answer now.
    case current
    /// Seen this or last cycle, not matured (pendingDTC).
    case pending
    /// Stored earlier, not failing now (confirmedDTC without testFailed).
    case history
    /// Stored, with no bit that says more.
    case stored
    /// The protocol reported no status byte.
    case unknown

    /// The state a status byte reads as; `unknown` without one.
    public init(status: DTCStatus?) {
        guard let status else {
            self = .unknown
            return
        }
        self = FindingState(rawValue: status.summary.state) ?? .stored
    }

    public static func < (lhs: FindingState, rhs: FindingState) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// One step group of a triage plan: a code (merged across every ECU that reported it), an ECU that did not
/// answer, a bus fault, or the account-side checks, with the interpretation that says what to do.
public struct TriageItem: Hashable, Sendable {
    /// What kind of finding the item is.
    public enum Kind: String, Hashable, Sendable {
        /// A trouble code.
        case troubleCode
        /// An ECU that did not answer.
        case noResponse
        /// A CAN bus fault seen while talking to the DCM.
        case busFault
        /// The checks on the account side (always last; the whole plan for a clean vehicle).
        case accountChecks
    }

    /// One ECU that reported the code, with the status it gave.
    public struct Report: Hashable, Sendable {
        /// The ECU.
        public var ecu: ECUIdentity
        /// The status byte, when the protocol has one.
        public var status: DTCStatus?
        /// The status read as current / pending / history (for OBD and KWP codes, what their protocol says).
        public var state: FindingState
    }

    /// What kind of finding the item is.
    public var kind: Kind
    /// Where it belongs in the plan.
    public var category: FindingCategory
    /// One line saying what was found (`U0198 Lost Communication with Telematic Control Module`).
    public var headline: String
    /// The most current state across the reports.
    public var state: FindingState
    /// Every ECU that reported the code (for a no-response item: the silent ECU).
    public var reports: [Report]
    /// Triage remarks, such as Toyota's rule for a code several ECUs report.
    public var notes: [SourcedText]
    /// What the knowledge base says and the fix path.
    public var interpretation: Interpretation
}

/// An ordered repair plan for a whole vehicle.
public struct TriagePlan: Hashable, Sendable {
    /// The items in the order to work through them.
    public var items: [TriageItem]
    /// True when nothing was found: no codes, no silent ECU, no bus fault.
    public var isClean: Bool
    /// Every source the plan cites, in order of first use.
    public var sources: [Source] {
        var seen = Set<String>()
        var result: [Source] = []
        for item in items {
            for source in item.interpretation.sources where seen.insert(source.id).inserted { result.append(source) }
        }
        return result
    }
}

/// Turns everything found on a vehicle into one ordered plan.
///
/// Order: network communication first (U-codes, ECUs that do not answer, bus faults), then DCM internal
/// faults, DCM connection and firmware, DCM peripherals, the head unit, codes of other systems, and the
/// account side last. Within a category current faults come before pending and history ones. A code several
/// ECUs report is one item listing every reporter; when several ECUs report lost communication with the same
/// ECU, the item says that ECU's communication stop is suspected (Toyota's rule for U-codes). A clean
/// vehicle gets the checks for Remote Connect without a code rather than an empty page.
public struct Triage: Sendable {
    /// The knowledge base the plan is drawn from.
    public var knowledgeBase: KnowledgeBase

    /// Symptom entries the plan uses.
    static let accountSymptom = "remote-connect"
    static let noResponseSymptom = "ecu-no-response"
    static let busFaultSymptom = "can-bus-fault"
    /// The source of Toyota's rule for communication DTCs.
    static let toyotaRuleSourceID = "toyota-dtc-combination-table"

    /// Creates a triage over a knowledge base.
    public init(knowledgeBase: KnowledgeBase) {
        self.knowledgeBase = knowledgeBase
    }

    /// The plan for a vehicle.
    public func plan(for vehicle: VehicleFindings) -> TriagePlan {
        var items = codeItems(vehicle.findings)
        for ecu in vehicle.unresponsive {
            items.append(noResponseItem(ecu: ecu, headline: "No response from \(ecu.name) (\(ecu.address))"))
        }
        if vehicle.dcmStatus == .notResponding && !vehicle.unresponsive.contains(where: { $0.role == .dcm }) {
            items.append(noResponseItem(ecu: nil, headline: "The DCM did not respond to the health check"))
        }
        if vehicle.dcmStatus == .busFault {
            items.append(
                TriageItem(
                    kind: .busFault, category: .communication,
                    headline: "CAN bus fault while talking to the DCM", state: .current, reports: [], notes: [],
                    interpretation: symptom(Self.busFaultSymptom, title: "CAN bus fault", category: .communication)))
        }
        items.sort { lhs, rhs in
            if lhs.category != rhs.category { return lhs.category < rhs.category }
            if lhs.state != rhs.state { return lhs.state < rhs.state }
            return lhs.headline < rhs.headline
        }
        let isClean = items.isEmpty
        let account = symptom(Self.accountSymptom, title: "Remote Connect checks", category: .account)
        items.append(
            TriageItem(
                kind: .accountChecks, category: .account,
                headline: isClean
                    ? "No trouble codes found: the checks for Remote Connect without a code"
                    : "If Remote Connect still fails after the above: account, app and server checks",
                state: .unknown, reports: [], notes: [], interpretation: account))
        return TriagePlan(items: items, isClean: isClean)
    }

    /// One item per distinct code (code and failure type), merged across reporting ECUs.
    private func codeItems(_ findings: [ECUFinding]) -> [TriageItem] {
        var order: [String] = []
        var merged: [String: (dtc: DiagnosticTroubleCode, reports: [TriageItem.Report])] = [:]
        for finding in findings {
            for dtc in finding.dtcs {
                let key = dtc.compactText
                let bare = DiagnosticTroubleCode(code: dtc.code, failureType: dtc.failureType)
                if merged[key] == nil {
                    order.append(key)
                    merged[key] = (bare, [])
                }
                if let index = merged[key]!.reports.firstIndex(where: { $0.ecu == finding.ecu }) {
                    // The same ECU listed twice: keep the more current status.
                    let existing = merged[key]!.reports[index]
                    if finding.state(of: dtc) < existing.state {
                        merged[key]!.reports[index] = TriageItem.Report(
                            ecu: finding.ecu, status: dtc.status, state: finding.state(of: dtc))
                    }
                } else {
                    merged[key]!.reports.append(
                        TriageItem.Report(ecu: finding.ecu, status: dtc.status, state: finding.state(of: dtc)))
                }
            }
        }
        return order.map { key in
            let (dtc, reports) = merged[key]!
            let interpretation = knowledgeBase.lookup(dtc)
            var notes: [SourcedText] = []
            let reporters = Set(reports.map(\.ecu))
            if dtc.code.system == .network, reporters.count >= 2 {
                let target = interpretation.lostCommunicationWith ?? "the ECU this code names"
                notes.append(
                    SourcedText(
                        text: "\(reporters.count) ECUs report this code. By Toyota's rule for communication "
                            + "codes, when several ECUs report lost communication with the same ECU, suspect "
                            + "that \(target) has stopped communicating: check its power, ground and CAN "
                            + "connection before the reporting ECUs.",
                        source: Self.toyotaRuleSourceID))
            }
            var cited = interpretation
            for note in notes where !cited.sources.contains(where: { $0.id == note.source }) {
                if let source = knowledgeBase.source(note.source) { cited.sources.append(source) }
            }
            return TriageItem(
                kind: .troubleCode, category: interpretation.category,
                headline: "\(dtc.compactText) \(interpretation.title)",
                state: reports.map(\.state).min() ?? .unknown, reports: reports, notes: notes,
                interpretation: cited)
        }
    }

    private func noResponseItem(ecu: ECUIdentity?, headline: String) -> TriageItem {
        TriageItem(
            kind: .noResponse, category: .communication, headline: headline, state: .current,
            reports: ecu.map { [TriageItem.Report(ecu: $0, status: nil, state: .current)] } ?? [], notes: [],
            interpretation: symptom(Self.noResponseSymptom, title: "ECU does not respond", category: .communication))
    }

    /// The symptom entry, or a bare interpretation when the knowledge base has none (a custom base).
    private func symptom(_ name: String, title: String, category: FindingCategory) -> Interpretation {
        if var interpretation = knowledgeBase.explain(symptom: name) {
            interpretation.category = category
            return interpretation
        }
        return Interpretation(
            subject: .symptom(name), match: .generic, matchedPattern: nil, entryID: nil, title: title, system: nil,
            storedBy: nil, category: category, remoteConnectSeverity: nil, meanings: [], notes: [], causes: [],
            fixPath: [], inheritedFrom: nil, related: [], lostCommunicationWith: nil, sources: [])
    }
}
