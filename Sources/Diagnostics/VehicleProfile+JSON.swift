import CANCore
import FoundationEssentials
import Interpretation

extension VehicleProfile {
    /// Reads a user profile (`--profile-file`): the same fields as the built-in ones, in JSON:
    ///
    /// ```json
    /// { "name": "my-lexus",
    ///   "ecus": [ { "name": "Telematics (DCM)", "role": "dcm", "request": "750", "response": "758",
    ///               "extendedAddress": "C7", "protocols": ["uds"], "source": "my notes" } ] }
    /// ```
    /// Ids are hex (three digits: 11-bit, eight: 29-bit); `response` defaults to request + 8; `role` is dcm,
    /// headUnit, gateway or other (default); `source` is optional.
    ///
    /// - Throws: ``DiagnosticsError`` `invalidProfile`, naming the file and the field.
    public init(json: [UInt8], fileName: String) throws(DiagnosticsError) {
        struct File: Decodable {
            struct ECU: Decodable {
                var name: String
                var role: String?
                var request: String
                var response: String?
                var extendedAddress: String?
                var protocols: [String]
                var source: String?
            }
            var name: String
            var ecus: [ECU]
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(json))
        } catch let error as DecodingError {
            throw DiagnosticsError(.invalidProfile, Self.explain(error), location: fileName)
        } catch {
            throw DiagnosticsError(.invalidProfile, "not JSON: \(error)", location: fileName)
        }
        guard !file.ecus.isEmpty else { throw DiagnosticsError(.invalidProfile, "no ECUs", location: fileName + ": ecus") }
        var descriptors: [ECUDescriptor] = []
        for (index, ecu) in file.ecus.enumerated() {
            func failure(_ field: String, _ reason: String) -> DiagnosticsError {
                DiagnosticsError(.invalidProfile, reason, location: "\(fileName): ecus[\(index)].\(field)")
            }
            func id(_ text: String, _ field: String) throws(DiagnosticsError) -> CANIdentifier {
                let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? String(text.dropFirst(2)) : text
                guard let value = UInt32(digits, radix: 16),
                    let id = CANIdentifier(value, format: digits.count > 3 ? .extended : .standard)
                else { throw failure(field, "'\(text)' is not a CAN id in hex (7E0, 750, 18DA28F1)") }
                return id
            }
            let request = try id(ecu.request, "request")
            let response: CANIdentifier
            if let text = ecu.response {
                response = try id(text, "response")
            } else {
                guard let derived = CANIdentifier(request.value + 8, format: request.format) else {
                    throw failure("response", "missing, and request + 8 is out of range")
                }
                response = derived
            }
            var extendedAddress: UInt8?
            if let text = ecu.extendedAddress {
                let digits = text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
                guard digits.count <= 2, let byte = UInt8(digits, radix: 16) else {
                    throw failure("extendedAddress", "'\(text)' is not a byte in hex (C7)")
                }
                extendedAddress = byte
            }
            var protocols: [DiagnosticProtocol] = []
            for name in ecu.protocols {
                guard let value = DiagnosticProtocol(rawValue: name) else {
                    throw failure("protocols", "'\(name)' is not uds, kwp or obd")
                }
                protocols.append(value)
            }
            guard !protocols.isEmpty else { throw failure("protocols", "empty; list uds, kwp or obd") }
            let role = ECURole(rawValue: ecu.role ?? "other")
            guard [ECURole.dcm, .headUnit, .gateway, .other].contains(role) else {
                throw failure("role", "'\(role.rawValue)' is not dcm, headUnit, gateway or other")
            }
            descriptors.append(
                ECUDescriptor(
                    name: ecu.name, role: role,
                    address: ECUAddress(requestID: request, responseID: response, extendedAddress: extendedAddress),
                    protocols: protocols, source: ecu.source ?? fileName))
        }
        self.init(name: file.name, ecus: descriptors)
    }

    private static func explain(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field \(path(context)).\(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "wrong type at \(path(context)): \(context.debugDescription)"
        case .dataCorrupted(let context): return "not valid JSON at \(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
