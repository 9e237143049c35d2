import ArgumentParser

extension CarDiagCommand {
    /// Every subcommand, in the order `--help` lists them. Add a new command here, one line each.
    static let allSubcommands: [any ParsableCommand.Type] = [
        DecodeCommand.self,
        FramesCommand.self,
        ISOTPCommand.self,
        ExplainCommand.self,
        AdaptersCommand.self,
        LinkCommand.self,
        ScanCommand.self,
        ClearCommand.self,
        MonitorCommand.self,
        DumpCommand.self,
        SimulateCommand.self,
        DemoCommand.self,
    ]
}
