public import DTC

/// What the knowledge base says about one code or symptom: the meanings with their sources, likely causes,
/// the ordered fix path, and how the answer was found.
public struct Interpretation: Hashable, Sendable {
    /// What was asked about.
    public enum Subject: Hashable, Sendable, CustomStringConvertible {
        /// A trouble code, as read from an ECU or typed by the user.
        case code(DiagnosticTroubleCode)
        /// A symptom without a code (`remote-connect`, `app-pairing`).
        case symptom(String)

        /// The code in Toyota's compact style (`B15C464`) or the symptom name.
        public var description: String {
            switch self {
            case .code(let dtc): return dtc.compactText
            case .symptom(let name): return name
            }
        }
    }

    /// How the entry was chosen, most specific first.
    public enum Match: String, Hashable, Sendable, CaseIterable {
        /// A 7-character entry: the code and its failure type (`B15A804`).
        case codeWithFailureType
        /// The exact 5-character code.
        case code
        /// A family with `x` wildcards (`B15xx`): the code itself has no entry.
        case family
        /// A range of codes (`U0100-U0164`): the code itself has no entry.
        case range
        /// A symptom entry.
        case symptom
        /// Nothing in the knowledge base: a generic answer from the code's structure alone.
        case generic

        /// True when the entry describes this very code (not its family, range or nothing).
        public var isSpecific: Bool { self == .codeWithFailureType || self == .code || self == .symptom }
    }

    /// What was asked about.
    public var subject: Subject
    /// How the entry was chosen.
    public var match: Match
    /// The pattern that matched, or nil for a symptom or a generic answer.
    public var matchedPattern: String?
    /// The id of the entry that answered, or nil for a generic answer.
    public var entryID: String?
    /// The title.
    public var title: String
    /// The vehicle system, when known.
    public var system: String?
    /// The ECU that stores the code, when known.
    public var storedBy: String?
    /// Where the finding belongs in a repair plan.
    public var category: FindingCategory
    /// What it means for Remote Connect, or nil when unknown.
    public var remoteConnectSeverity: RemoteConnectSeverity?
    /// Meanings, one per source; they may disagree (see ``notes``).
    public var meanings: [SourcedText]
    /// Remarks about the meanings.
    public var notes: [SourcedText]
    /// Likely causes, most likely first.
    public var causes: [SourcedText]
    /// The ordered fix path; empty when the knowledge base has none for this code.
    public var fixPath: [FixStep]
    /// The entry the causes and fix path come from when they are inherited from a broader entry.
    public var inheritedFrom: String?
    /// Related code patterns.
    public var related: [String]
    /// For a lost-communication code: the ECU it names as silent.
    public var lostCommunicationWith: String?
    /// Every source the answer cites, in order of first use.
    public var sources: [Source]

    /// The code, when the subject is one.
    public var dtc: DiagnosticTroubleCode? {
        if case .code(let dtc) = subject { return dtc }
        return nil
    }

    /// What the code's characters say on their own (SAE J2012): the system letter, who defines the code,
    /// and the failure type's name.
    public var codeFacts: String? {
        guard let dtc else { return nil }
        let code = dtc.code
        var text = "\(code.system.name) (\(code.system.letter)), "
        text += code.isManufacturerSpecific ? "manufacturer-defined" : "SAE-defined"
        if let failureType = dtc.failureType {
            text += "; failure type \(failureType)"
        } else {
            text += "; no failure type"
        }
        return text
    }
}

extension DTCCode.System {
    /// The English name of the system (`body`).
    var name: String {
        switch self {
        case .powertrain: return "powertrain"
        case .chassis: return "chassis"
        case .body: return "body"
        case .network: return "network"
        }
    }
}
