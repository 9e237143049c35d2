import ArgumentParser

extension CarDiagCommand {
    /// Every subcommand, in the order `--help` lists them. Add a new command here, one line each.
    static let allSubcommands: [any ParsableCommand.Type] = [
        DecodeCommand.self,
        FramesCommand.self,
        ExplainCommand.self,
        AdaptersCommand.self,
        LinkCommand.self,
    ]
}
