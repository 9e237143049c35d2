import Diagnostics
import Testing

/// Milliseconds as a `Duration`.
private func ms(_ value: Int) -> Duration { .milliseconds(value) }

@Suite("DiagnosticExchange: P2/P2*, 0x78, 0x21, first-frame restart, timeouts explained")
struct DiagnosticExchangeTests {
    let timing = DiagnosticTiming(
        responseTimeout: ms(50), extendedResponseTimeout: ms(5000), segmentedTransferTimeout: ms(1000),
        maximumResponsePending: 3, maximumResponsePendingTime: ms(12_000), maximumBusyRetries: 2,
        busyRetryDelay: ms(100))

    func started(_ request: [UInt8] = [0x19, 0x02, 0xFF], at start: Int = 0) -> DiagnosticExchange {
        var exchange = DiagnosticExchange(request: request, timing: timing)
        #expect(exchange.start(at: ms(start)) == .transmit(request))
        #expect(exchange.transmitted(at: ms(start)) == .wait(until: ms(start + 50)))
        return exchange
    }

    @Test("a positive response within P2 finishes the exchange")
    func positive() {
        var exchange = started()
        #expect(exchange.received([0x59, 0x02, 0xFF], at: ms(20)) == .finish(.response([0x59, 0x02, 0xFF])))
        #expect(exchange.isFinished)
        #expect(exchange.timerFired(at: ms(50)) == .none)
    }

    @Test("P2 runs out: the timeout names P2, its length and that nothing came")
    func p2Timeout() throws {
        var exchange = started()
        #expect(exchange.timerFired(at: ms(49)) == .wait(until: ms(50)))
        guard case .finish(.timeout(let timeout)) = exchange.timerFired(at: ms(50)) else {
            Issue.record("expected a timeout")
            return
        }
        #expect(timeout.timer == .p2)
        #expect(timeout.limit == ms(50))
        #expect(timeout.description == "request 19 02 FF: P2 timeout (50 ms) after 50 ms; nothing received")
    }

    @Test("0x78 switches to P2*, and the final response after it is delivered")
    func responsePending() {
        var exchange = started()
        #expect(exchange.received([0x7F, 0x19, 0x78], at: ms(10)) == .wait(until: ms(5010)))
        #expect(exchange.received([0x7F, 0x19, 0x78], at: ms(3000)) == .wait(until: ms(8000)))
        #expect(exchange.timerFired(at: ms(5010)) == .wait(until: ms(8000)))
        #expect(exchange.received([0x59, 0x02, 0xFF], at: ms(7000)) == .finish(.response([0x59, 0x02, 0xFF])))
        #expect(exchange.responsePendingCount == 2)
    }

    @Test("P2* runs out after a 0x78: the timeout says P2* and counts the pending replies")
    func p2ExtendedTimeout() {
        var exchange = started()
        _ = exchange.received([0x7F, 0x19, 0x78], at: ms(10))
        guard case .finish(.timeout(let timeout)) = exchange.timerFired(at: ms(5010)) else {
            Issue.record("expected a timeout")
            return
        }
        #expect(timeout.timer == .p2Extended)
        #expect(timeout.responsePendingCount == 1)
        #expect(timeout.description.contains("P2* timeout (5000 ms)"))
        #expect(timeout.description.contains("1 response-pending (0x78)"))
    }

    @Test("0x78 runs are bounded by count")
    func responsePendingCountLimit() {
        var exchange = started()
        for at in [10, 20, 30] { #expect(exchange.received([0x7F, 0x19, 0x78], at: ms(at)) == .wait(until: ms(at + 5000))) }
        guard case .finish(.timeout(let timeout)) = exchange.received([0x7F, 0x19, 0x78], at: ms(40)) else {
            Issue.record("expected the 0x78 limit")
            return
        }
        #expect(timeout.timer == .responsePendingLimit)
        #expect(timeout.responsePendingCount == 4)
    }

    @Test("0x78 runs are bounded by total time: the last wait is cut to the budget")
    func responsePendingTimeLimit() {
        var exchange = started()
        #expect(exchange.received([0x7F, 0x19, 0x78], at: ms(4000)) == .wait(until: ms(9000)))
        // 8000 + 5000 would pass the 12 000 ms budget: wait only until 12 000.
        #expect(exchange.received([0x7F, 0x19, 0x78], at: ms(8000)) == .wait(until: ms(12_000)))
        guard case .finish(.timeout(let timeout)) = exchange.timerFired(at: ms(12_000)) else {
            Issue.record("expected the 0x78 time budget to end it")
            return
        }
        #expect(timeout.timer == .responsePendingLimit)
        #expect(timeout.limit == ms(12_000))
    }

    @Test("0x21 repeats the request after the delay, a bounded number of times")
    func busyRepeat() {
        var exchange = started([0x22, 0xF1, 0x90])
        #expect(exchange.received([0x7F, 0x22, 0x21], at: ms(5)) == .wait(until: ms(105)))
        #expect(exchange.timerFired(at: ms(105)) == .transmit([0x22, 0xF1, 0x90]))
        #expect(exchange.transmitted(at: ms(106)) == .wait(until: ms(156)))
        #expect(exchange.received([0x7F, 0x22, 0x21], at: ms(110)) == .wait(until: ms(210)))
        #expect(exchange.timerFired(at: ms(210)) == .transmit([0x22, 0xF1, 0x90]))
        _ = exchange.transmitted(at: ms(210))
        // Retries spent: the third 0x21 is the final answer.
        #expect(exchange.received([0x7F, 0x22, 0x21], at: ms(220)) == .finish(.response([0x7F, 0x22, 0x21])))
        #expect(exchange.busyRetries == 2)
    }

    @Test("a first frame restarts the timer for the segmented transfer (late Toyota EPS)")
    func firstFrameRestart() {
        var exchange = started([0x22, 0xF1, 0x81])
        // The EPS's first frame comes at 45 ms; its next frame 50 ms after our flow control, past P2.
        #expect(exchange.firstFrame(at: ms(45)) == .wait(until: ms(1045)))
        #expect(exchange.timerFired(at: ms(50)) == .wait(until: ms(1045)))
        let response: [UInt8] = [0x62, 0xF1, 0x81] + Array("89650-0R200".utf8)
        #expect(exchange.received(response, at: ms(150)) == .finish(.response(response)))
    }

    @Test("a segmented transfer that never completes times out naming the transfer")
    func transferTimeout() {
        var exchange = started([0x22, 0xF1, 0x81])
        _ = exchange.firstFrame(at: ms(45))
        guard case .finish(.timeout(let timeout)) = exchange.timerFired(at: ms(1045)) else {
            Issue.record("expected a transfer timeout")
            return
        }
        #expect(timeout.timer == .segmentedTransfer)
        #expect(timeout.firstFramesReceived == 1)
        #expect(timeout.description.contains("1 first frame(s)"))
    }

    @Test("replies to other services are ignored and counted", arguments: [[0x50, 0x01], [0x7F, 0x10, 0x78], [0x62, 0xF1, 0x90]])
    func unrelated(_ reply: [UInt8]) {
        var exchange = started()
        #expect(exchange.received(reply, at: ms(10)) == .none)
        guard case .finish(.timeout(let timeout)) = exchange.timerFired(at: ms(50)) else {
            Issue.record("expected a timeout")
            return
        }
        #expect(timeout.unrelatedReplies == 1)
    }

    @Test("final negative responses end the exchange", arguments: [0x11, 0x12, 0x22, 0x31, 0x33] as [UInt8])
    func negative(_ code: UInt8) {
        var exchange = started()
        #expect(exchange.received([0x7F, 0x19, code], at: ms(10)) == .finish(.response([0x7F, 0x19, code])))
    }

    @Test("P2 and P2* come from the ECU's session response")
    func timingFromSession() {
        // An ECU that needs longer lengthens P2 and P2*; one that claims less never shortens ours.
        let longer = timing.updated(fromSessionResponse: [0x50, 0x01, 0x00, 0x96, 0x02, 0x58])
        #expect(longer.responseTimeout == ms(150))
        #expect(longer.extendedResponseTimeout == ms(6000))
        let shorter = timing.updated(fromSessionResponse: [0x50, 0x01, 0x00, 0x19, 0x00, 0x64])
        #expect(shorter == timing)
        #expect(timing.updated(fromSessionResponse: [0x50, 0x01]) == timing)
        #expect(timing.updated(fromSessionResponse: [0x50, 0x01, 0, 0, 0, 0]) == timing)
    }
}

@Suite("FunctionalExchange: answers of several ECUs")
struct FunctionalExchangeTests {
    let engine = ECUAddress.standard(request: 0x7E0)!
    let transmission = ECUAddress.standard(request: 0x7E1)!
    let hybrid = ECUAddress.standard(request: 0x7E2)!

    @Test("collects every answer within P2, and a 0x78 keeps the window open for P2*")
    func collects() {
        var exchange = FunctionalExchange(request: [0x03], timing: DiagnosticTiming())
        #expect(exchange.transmitted(at: .zero) == .wait(until: .milliseconds(50)))
        #expect(exchange.received([0x43, 0x00], from: engine, at: .milliseconds(10)) == .none)
        #expect(exchange.received([0x7F, 0x03, 0x78], from: transmission, at: .milliseconds(20)) == .wait(until: .milliseconds(5020)))
        #expect(exchange.received([0x7F, 0x03, 0x11], from: hybrid, at: .milliseconds(30)) == .none)
        #expect(exchange.timerFired(at: .milliseconds(50)) == .wait(until: .milliseconds(5020)))
        // The transmission's final answer ends its extension: the window shrinks back to P2, long past.
        #expect(
            exchange.received([0x43, 0x01, 0x04, 0x20], from: transmission, at: .milliseconds(900))
                == .wait(until: .milliseconds(50)))
        let end = exchange.timerFired(at: .milliseconds(900))
        #expect(
            end == .finish(
                answers: [engine: [0x43, 0x00], transmission: [0x43, 0x01, 0x04, 0x20], hybrid: [0x7F, 0x03, 0x11]],
                stillPending: []))
    }

    @Test("an ECU that only said 0x78 is reported still pending; a first frame extends the window")
    func stillPending() {
        var exchange = FunctionalExchange(request: [0x09, 0x02], timing: DiagnosticTiming())
        _ = exchange.transmitted(at: .zero)
        #expect(exchange.firstFrame(from: engine, at: .milliseconds(10)) == .wait(until: .milliseconds(5010)))
        _ = exchange.received([0x7F, 0x09, 0x78], from: hybrid, at: .milliseconds(20))
        #expect(exchange.timerFired(at: .milliseconds(5020)) == .finish(answers: [:], stillPending: [hybrid]))
    }
}

@Suite("TesterPresentSchedule")
struct TesterPresentScheduleTests {
    @Test("due after the interval of quiet; activity moves it")
    func cadence() {
        var schedule = TesterPresentSchedule(interval: .seconds(2), startingAt: .zero)
        #expect(schedule.nextDue == .seconds(2))
        let due1 = schedule.isDue(at: .milliseconds(1999))
        #expect(!due1)
        schedule.noteActivity(at: .milliseconds(1500))
        let due2 = schedule.isDue(at: .seconds(2))
        #expect(!due2)
        let due3 = schedule.isDue(at: .milliseconds(3500))
        #expect(due3)
        #expect(schedule.nextDue == .milliseconds(5500))
        let due4 = schedule.isDue(at: .milliseconds(3600))
        #expect(!due4)
        // Activity in the past does not move it back.
        schedule.noteActivity(at: .seconds(1))
        #expect(schedule.nextDue == .milliseconds(5500))
    }
}
