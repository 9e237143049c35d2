import CANCore
import ISOTP
import Testing

@Suite struct VirtualCANBusTests {
    @Test func everyOtherEndpointSeesAFrame() async throws {
        let bus = VirtualCANBus(name: "vcan-test")
        let a = bus.attach(name: "a")
        let b = bus.attach(name: "b")
        let echoing = bus.attach(name: "c", echoesOwnFrames: true)
        var fromA = a.receivedFrames().makeAsyncIterator()
        var fromB = b.receivedFrames().makeAsyncIterator()
        var fromC = echoing.receivedFrames().makeAsyncIterator()
        try await a.send(frame(std(0x123), "01"))
        try await echoing.send(frame(std(0x456), "02"))
        let firstB = try await fromB.next()
        #expect(firstB?.id == std(0x123) && firstB?.interface == "vcan-test")
        #expect(try await fromB.next()?.id == std(0x456))
        #expect(try await fromC.next()?.id == std(0x123))
        #expect(try await fromC.next()?.id == std(0x456))  // its own frame, echoed
        #expect(try await fromA.next()?.id == std(0x456))  // a does not see its own frame
        #expect(bus.framesSent == 2)
        a.detach()
        #expect(try await fromA.next() == nil)
    }
}

@Suite struct ISOTPChannelTests {
    let dcm = ISOTPAddress.extended(
        transmitID: std(0x750), receiveID: std(0x758), targetAddress: 0xC7, sourceAddress: 0xC7)

    @Test func twoChannelsTalkOverTheVirtualBus() async throws {
        let bus = VirtualCANBus()
        let clock = ManualClock()
        let tester = ISOTPChannel(transport: bus.attach(), clock: clock, address: dcm)
        let ecu = ISOTPChannel(transport: bus.attach(), clock: clock, address: dcm.reversed)
        let request = bytes("22 F1 90")
        let response = bytes("62 F1 90") + Array("JTDKB20U993000001".utf8)
        try await tester.send(request)
        #expect(try await ecu.receive() == request)
        try await ecu.send(response)
        #expect(try await tester.receive() == response)
        // A long response, past the 12-bit length: the 32-bit escape over classic CAN.
        let long = (0..<5000).map { UInt8(truncatingIfNeeded: $0) }
        try await ecu.send(long)
        #expect(try await tester.receive() == long)
        await tester.close()
        await ecu.close()
    }

    @Test func canFDChannels() async throws {
        let bus = VirtualCANBus()
        let clock = ManualClock()
        let address = ISOTPAddress.normalFixed(sourceAddress: 0xF1, targetAddress: 0x10)
        let tester = ISOTPChannel(transport: bus.attach(), clock: clock, address: address, format: .fd())
        let ecu = ISOTPChannel(transport: bus.attach(), clock: clock, address: address.reversed, format: .fd())
        let message = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try await ecu.send(message)
        #expect(try await tester.receive() == message)
        await tester.close()
        await ecu.close()
    }

    @Test func separationTimeIsWaitedOnTheClock() async throws {
        let bus = VirtualCANBus()
        let testerClock = ManualClock()
        let tester = ISOTPChannel(transport: bus.attach(), clock: testerClock, address: dcm)
        let ecu = ISOTPChannel(
            transport: bus.attach(), clock: ManualClock(),
            sender: .init(address: dcm.reversed),
            receiver: .init(address: dcm.reversed, separationTime: ISOTPSeparationTime(rawValue: 10)))
        let message = [UInt8](repeating: 0x42, count: 5 + 6 * 4)  // FF + 4 CFs
        let sending = Task { try await tester.send(message) }
        // The first CF follows the flow control at once; the next three each wait 10 ms (the tester's other
        // sleeper is N_Bs, due in 1 s).
        for _ in 0..<3 {
            await testerClock.waitForSleepers(atLeast: 1, dueBy: testerClock.now.advanced(by: .milliseconds(10)))
            testerClock.advance(by: .milliseconds(10))
        }
        try await sending.value
        #expect(testerClock.now.offset == .milliseconds(30))
        #expect(try await ecu.receive() == message)
        await tester.close()
        await ecu.close()
    }

    @Test func flowControlTimeoutLeavesTheChannelUsable() async throws {
        let bus = VirtualCANBus()
        let clock = ManualClock()
        let tester = ISOTPChannel(transport: bus.attach(), clock: clock, address: dcm)
        let sending = Task { try await tester.send([UInt8](repeating: 1, count: 20)) }
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .milliseconds(999))
        #expect(clock.sleeperCount == 1)
        clock.advance(by: .milliseconds(1))
        await #expect(throws: ISOTPError(.flowControlTimeout, "")) { try await sending.value }
        try await tester.send(bytes("3E 00"))  // a single frame needs no flow control
        await tester.close()
    }

    @Test func receiveTimesOutOnTheClock() async throws {
        let clock = ManualClock()
        let tester = ISOTPChannel(transport: VirtualCANBus().attach(), clock: clock, address: dcm)
        let receiving = Task { try await tester.receive(timeout: .milliseconds(50)) }
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .milliseconds(50))
        await #expect(throws: ISOTPError(.receiveTimeout, "")) { try await receiving.value }
        await tester.close()
    }

    @Test func receptionErrorsAreThrownThenTheChannelGoesOn() async throws {
        let bus = VirtualCANBus()
        let clock = ManualClock()
        let tester = ISOTPChannel(transport: bus.attach(), clock: clock, address: dcm)
        let gateway = bus.attach()
        var seen = gateway.receivedFrames().makeAsyncIterator()
        try await gateway.send(frame(std(0x758), "C7 21 01 02 03 04 05 06"))
        await #expect(throws: ISOTPError(.unexpectedConsecutiveFrame, "")) { try await tester.receive() }
        // A first frame gets our flow control, with the sub-address first; a bad sequence number aborts it.
        try await gateway.send(frame(std(0x758), "C7 10 10 01 02 03 04 05"))
        let flowControl = try await seen.next()
        #expect(flowControl.map(candump) == "750#C7300000CCCCCCCC")
        try await gateway.send(frame(std(0x758), "C7 22 01 02 03 04 05 06"))
        await #expect(throws: ISOTPError(.sequenceNumberMismatch, "")) { try await tester.receive() }
        // A frame for another ECU behind the gateway is not ours; the next one for us is delivered.
        try await gateway.send(frame(std(0x758), "6D 02 50 03"))
        try await gateway.send(frame(std(0x758), "C7 03 7F 22 78"))
        #expect(try await tester.receive() == bytes("7F 22 78"))
        // A reception that stalls times out on N_Cr.
        try await gateway.send(frame(std(0x758), "C7 10 10 01 02 03 04 05"))
        _ = try await seen.next()
        await clock.waitForSleepers(atLeast: 1)
        clock.advance(by: .seconds(1))
        await #expect(throws: ISOTPError(.consecutiveFrameTimeout, "")) { try await tester.receive() }
        await tester.close()
        await #expect(throws: ISOTPError(.channelClosed, "")) { try await tester.receive() }
    }

    @Test func overflowAndBusyAreNamed() async throws {
        let bus = VirtualCANBus()
        let clock = ManualClock()
        let tester = ISOTPChannel(transport: bus.attach(), clock: clock, address: dcm)
        let ecu = ISOTPChannel(
            transport: bus.attach(), clock: clock, sender: .init(address: dcm.reversed),
            receiver: .init(address: dcm.reversed, maximumMessageLength: 100))
        let first = Task { try await tester.send([UInt8](repeating: 0, count: 101)) }
        await #expect(throws: ISOTPError(.receiverOverflow, "")) { try await first.value }
        await #expect(throws: ISOTPError(.messageTooLong, "")) { try await ecu.receive() }
        await tester.close()
        await ecu.close()
    }

    @Test func aSecondSendWhileOneIsInProgressIsRefused() async throws {
        let clock = ManualClock()
        let tester = ISOTPChannel(transport: VirtualCANBus().attach(), clock: clock, address: dcm)
        let first = Task { try await tester.send([UInt8](repeating: 0, count: 300)) }
        await clock.waitForSleepers(atLeast: 1)  // waiting for a flow control nobody sends
        await #expect(throws: ISOTPError(.transmitterBusy, "")) { try await tester.send([1]) }
        clock.advance(by: .seconds(1))
        await #expect(throws: ISOTPError(.flowControlTimeout, "")) { try await first.value }
        await tester.close()
    }
}
