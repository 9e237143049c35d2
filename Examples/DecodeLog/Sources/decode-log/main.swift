// Reads a CAN log (candump, GVRET CSV, pcap, ASC …; plain or gzip), decodes every diagnostic conversation in
// it and prints the verdict and trouble codes of the DCM, the Toyota telematics module on 0x750/0x758 with
// ISO-TP extended address 0xC7.
//
//     swift run decode-log ../../Fixtures/demo/toyota-dcm-b15c4.log
import CANLog
import Diagnostics

let path = CommandLine.arguments.dropFirst().first ?? "../../Fixtures/demo/toyota-dcm-b15c4.log"

// The reader detects the format and streams frames; the decoder reassembles ISO-TP in both directions,
// pairs requests with responses and decodes UDS, KWP2000 and OBD-II.
let reader = try LogReader(path: path)
var decoder = LogDecoder()
while let frame = try reader.next() {
    decoder.feed(frame)
}
let report = decoder.finish(skippedLines: reader.skipped)

print("\(report.summary.frames) frames, \(report.ecus.count) ECUs, \(report.dtcs.count) DTC records")

// `dcmStatus` is nil when the log holds no conversation with the DCM.
if let dcm = report.dcmStatus {
    print("DCM verdict: \(dcm.verdict.rawValue)")
    for (name, value) in dcm.identification.sorted(by: { $0.key < $1.key }) {
        print("  \(name): \(value)")
    }
    // Codes by state: "current", "pending", "history" or "stored", from each code's status byte.
    for (state, codes) in dcm.dtcsByState.sorted(by: { $0.key < $1.key }) {
        for code in codes {
            print("  \(code.hyphenatedText)  \(state)  \(code.failureType?.name ?? "")")
        }
    }
} else {
    print("The log holds no conversation with the DCM.")
}
