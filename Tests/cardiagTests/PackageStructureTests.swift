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

    static func describe() throws -> Description {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--package-path", packageRoot.path, "describe", "--type", "json"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
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

    @Test func productsForDecodingAndExplainingNeedNoKernelLibraries() throws {
        let description = try Self.describe()
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

    @Test func importsPointDownTheStack() throws {
        let description = try Self.describe()
        let ours = Set(description.targets.map(\.name))
        // Each library module and the module it may depend on, directly (DESIGN.md, "Rules of the house").
        let allowed: [String: Set<String>] = [
            "CANCore": [], "DTC": [], "CANLog": ["CANCore", "CZlib"], "ISOTP": ["CANCore"],
            "UDS": ["DTC"], "KWP": ["DTC"], "OBD": ["DTC"], "Interpretation": ["DTC"],
            "Diagnostics": ["CANCore", "DTC", "ISOTP", "UDS", "KWP", "OBD", "Interpretation"],
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
