import ArgumentParser
import FoundationEssentials
import Interpretation

/// `--knowledge-base FILE`, shared by every command that interprets codes.
struct KnowledgeBaseOptions: ParsableArguments {
    @Option(name: .customLong("knowledge-base"), help: "Overlay a knowledge-base JSON file (same schema).")
    var file: String?

    /// The built-in knowledge base with the overlay applied. Exits 66 when the file cannot be read and 65
    /// when it does not fit the schema (the message names the file, the entry and the field).
    func load() throws -> KnowledgeBase {
        let builtIn: KnowledgeBase
        do {
            builtIn = try KnowledgeBase.builtIn()
        } catch {
            Terminal.shared.diagnostic("cardiag: built-in knowledge base: \(error)")
            throw ExitCode(ExitStatus.software.rawValue)
        }
        guard let path = file else { return builtIn }
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
