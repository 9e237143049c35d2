import Foundation
import FuzzHarnesses
import Testing

/// Replays every input under `Fixtures/fuzz/<harness>/` (crashes, hangs and findings libFuzzer once found,
/// minimised) through its harness, without libFuzzer: each must now run to the end with no finding.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let regressionFolder = root.appendingPathComponent("Fixtures/fuzz")

    /// `harness/file` for every regression input.
    static let inputs: [String] = {
        let manager = FileManager.default
        var inputs: [String] = []
        for harness in (try? manager.contentsOfDirectory(atPath: regressionFolder.path)) ?? [] {
            let folder = regressionFolder.appendingPathComponent(harness)
            for file in (try? manager.contentsOfDirectory(atPath: folder.path)) ?? [] where !file.hasPrefix(".") {
                inputs.append(harness + "/" + file)
            }
        }
        return inputs.sorted()
    }()

    @Test func everyRegressionFolderNamesAHarness() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.regressionFolder.path)
        for folder in folders where !folder.hasPrefix(".") && folder != "README.md" {
            #expect(Harness.named(folder) != nil, "Fixtures/fuzz/\(folder) is not a harness")
        }
    }

    @Test(arguments: inputs)
    func replays(_ input: String) throws {
        let harness = try #require(Harness.named(String(input.prefix { $0 != "/" })))
        let bytes = try [UInt8](Data(contentsOf: Self.regressionFolder.appendingPathComponent(input)))
        #expect(harness.run(bytes) == [])
    }

    /// Every seed folder a harness names exists, so `make fuzz` starts each campaign from real inputs.
    @Test(arguments: Harness.all.map(\.name))
    func seedFoldersExist(_ name: String) throws {
        let harness = try #require(Harness.named(name))
        for folder in harness.seedFolders {
            var isDirectory: ObjCBool = false
            let path = Self.root.appendingPathComponent(folder).path
            #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        }
    }
}
