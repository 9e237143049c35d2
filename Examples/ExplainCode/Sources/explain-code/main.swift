// Explains a trouble code: what it means (with sources), who can fix it and in what order. A shop adds its
// own experience as an overlay in the knowledge-base schema (Sources/Interpretation/KnowledgeBase/
// knowledge-base.schema.json); an overlay entry matching a code as closely as a built-in one wins.
//
//     swift run explain-code B15C4
import DTC
import Interpretation

let overlay = """
    {
      "schemaVersion": 1,
      "description": "Our shop's notes.",
      "sources": [
        { "id": "shop-log-2024", "title": "Workshop job log, 2024" }
      ],
      "entries": [
        {
          "id": "B15C4-shop",
          "patterns": ["B15C4"],
          "title": "Airbag signal to the DCM missing",
          "system": "Telematics",
          "category": "dcmPeripheral",
          "remoteConnectSeverity": "blocking",
          "meanings": [
            { "text": "The DCM sees no valid airbag signal on its input.", "source": "shop-log-2024" }
          ],
          "fixPath": [
            {
              "action": "Reseat the DCM's connector behind the glovebox and clear the code.",
              "who": ["shop"],
              "verify": "The code does not come back after two ignition cycles.",
              "ifNot": "Follow the manual's airbag-signal circuit check.",
              "source": "shop-log-2024"
            }
          ]
        }
      ]
    }
    """

let knowledgeBase = try KnowledgeBase.builtIn().overlaying(fileNamed: "shop-notes.json", contents: Array(overlay.utf8))

let codes = CommandLine.arguments.dropFirst().isEmpty ? ["B15C4"] : Array(CommandLine.arguments.dropFirst())
// "B15C4", "B15C4-64" or "B15C464": a J2012 code, optionally with its failure-type byte.
let interpretations = codes.compactMap(DiagnosticTroubleCode.init).map(knowledgeBase.lookup)
print(InterpretationRenderer(width: 80).render(interpretations, as: .text), terminator: "")
