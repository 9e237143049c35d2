import CANCore
import Diagnostics
import ISOTP
import SocketCAN

/// The kernel's ISO-TP socket as a ``MessageTransport``: one socket per ECU, with the ECU's sub-address for
/// extended addressing, frames padded with 0xCC as the user-space channel pads them, and `send` returning once
/// the last frame went out (`CAN_ISOTP_WAIT_TX_DONE`). The errors that end the connection (closed, interface
/// down, adapter removed) become ``ISOTPError`` `channelClosed`, as the protocol asks.
struct KernelISOTPLink: MessageTransport {
    let socket: KernelISOTPSocket

    /// Opens the socket for `address` on `interface`.
    init(interface: String, address: ECUAddress) throws(SocketCANError) {
        socket = try KernelISOTPSocket(
            interface: interface, transmitID: address.requestID, receiveID: address.responseID,
            options: KernelISOTPSocket.Options(
                extendedAddress: address.extendedAddress, transmitPadding: ISOTPFrameFormat.defaultPaddingByte,
                maximumWaitFrames: 10, waitForTransmitCompletion: true, maximumMessageLength: 4095))
    }

    func send(_ message: [UInt8]) async throws {
        do {
            try await socket.send(message)
        } catch {
            throw Self.mapped(error)
        }
    }

    func receive(timeout: Duration?) async throws -> [UInt8] {
        guard let timeout else {
            do {
                return try await socket.receive()
            } catch {
                throw Self.mapped(error)
            }
        }
        let socket = self.socket
        return try await withThrowingTaskGroup(of: [UInt8]?.self) { group in
            group.addTask { try await socket.receive() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            do {
                guard let first = try await group.next(), let message = first else {
                    throw ISOTPError(.receiveTimeout, "no message in time")
                }
                return message
            } catch let error as ISOTPError {
                throw error
            } catch {
                throw Self.mapped(error)
            }
        }
    }

    func close() async { socket.close() }

    static func mapped(_ error: any Error) -> any Error {
        guard let error = error as? SocketCANError else { return error }
        switch error.code {
        case .closed, .interfaceDown, .adapterRemoved, .noSuchInterface:
            return ISOTPError(.channelClosed, "\(error)")
        default:
            return error
        }
    }

    /// Whether the kernel's ISO-TP socket can serve, and if not why.
    static var kernelSupport: ISOTPBackendChoice.KernelSupport {
        guard let error = KernelISOTPSocket.probe(systemCalls: .live) else { return .available }
        return .unavailable("\(error)")
    }
}
