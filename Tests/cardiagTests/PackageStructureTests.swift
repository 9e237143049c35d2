import Foundation
import Testing

/// The layering rules of DESIGN.md, checked against what SwiftPM reads from Package.swift.
@Suite struct PackageStructureTests {
    struct Target: Decodable {
        let name: String
        let type: String
        let target_dependencies: [String]?
    }

    struct Product: Decodable {
        let name: String
        let targets: [String]
    }

    struct Description: Decodable {
        let targets: [Target]
        let products: [Product]
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Where `make test` writes `swift package describe --type json` before running the tests. Running
    /// SwiftPM from inside `swift test` would wait forever on the build folder's lock.
    static let descriptionFile = packageRoot.appendingPathComponent(".build/package-description.json")

    /// The package description, or nil (skip) when it was not written; under CI a missing file fails.
    static func describe() throws -> Description? {
        guard let data = FileManager.default.contents(atPath: descriptionFile.path) else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "run the tests through `make test`")
            return nil
        }
        return try JSONDecoder().decode(Description.self, from: data)
    }

    /// The C system-library targets a log-decoding or code-explaining consumer must not need.
    static let kernelTargets: Set<String> = ["CLinuxCAN", "CUdev", "CLibSocketCAN"]

    static func closure(of roots: [String], in targets: [String: Target]) -> Set<String> {
        var seen = Set<String>()
        var work = roots
        while let name = work.popLast() {
            guard seen.insert(name).inserted else { continue }
            work.append(contentsOf: targets[name]?.target_dependencies ?? [])
        }
        return seen
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: descriptionFile.path) || ProcessInfo.processInfo.environment["CI"] == "true"))
    func productsForDecodingAndExplainingNeedNoKernelLibraries() throws {
        guard let description = try Self.describe() else { return }
        let targets = Dictionary(uniqueKeysWithValues: description.targets.map { ($0.name, $0) })
        let offline = ["CANCore", "CANLog", "ISOTP", "DTC", "UDS", "KWP", "OBD", "Diagnostics", "Interpretation"]
        for name in offline {
            let product = try #require(description.products.first { $0.name == name }, "no product \(name)")
            let closure = Self.closure(of: product.targets, in: targets)
            #expect(closure.isDisjoint(with: Self.kernelTargets), "\(name) pulls in \(closure.intersection(Self.kernelTargets))")
        }
        let socketCAN = try #require(description.products.first { $0.name == "SocketCAN" })
        #expect(Self.closure(of: socketCAN.targets, in: targets).isSuperset(of: Self.kernelTargets))
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: descriptionFile.path) || ProcessInfo.processInfo.environment["CI"] == "true"))
    func importsPointDownTheStack() throws {
        guard let description = try Self.describe() else { return }
        let ours = Set(description.targets.map(\.name))
        // Each library module and the module it may depend on, directly (DESIGN.md, "Rules of the house").
        let allowed: [String: Set<String>] = [
            "CANCore": [], "DTC": [], "CANLog": ["CANCore", "CZlib", "CByteScan"], "ISOTP": ["CANCore"],
            "UDS": ["DTC"], "KWP": ["DTC"], "OBD": ["DTC"], "Interpretation": ["DTC"],
            "Diagnostics": ["CANCore", "DTC", "ISOTP", "UDS", "KWP", "OBD", "Interpretation"],
            "VirtualVehicle": ["CANCore", "DTC", "ISOTP", "UDS", "KWP", "OBD", "Diagnostics"],
            "SocketCAN": ["CANCore", "CLinuxCAN", "CUdev", "CLibSocketCAN"],
        ]
        for target in description.targets where allowed[target.name] != nil {
            let dependencies = Set(target.target_dependencies ?? []).intersection(ours)
            #expect(dependencies.isSubset(of: allowed[target.name]!), "\(target.name) depends on \(dependencies)")
        }
        for target in description.targets where target.type == "library" {
            let usesKernel = !Set(target.target_dependencies ?? []).isDisjoint(with: Self.kernelTargets)
            #expect(!usesKernel || target.name == "SocketCAN", "\(target.name) imports a kernel C target")
        }
    }
}
