/// When to send tester present to keep a non-default session alive, as a schedule without I/O: any traffic to
/// the ECU counts as activity, and tester present is due once the line has been quiet for the interval (the
/// ECU's S3 timer is 5 s; the default interval of 2 s leaves room for a slow bus).
package struct TesterPresentSchedule: Hashable, Sendable {
    /// The quiet time after which tester present is due.
    public let interval: Duration
    private var lastActivity: Duration

    /// A schedule starting at `now`.
    public init(interval: Duration, startingAt now: Duration) {
        precondition(interval > .zero, "a tester-present interval must be positive")
        self.interval = interval
        lastActivity = now
    }

    /// The instant tester present is next due, unless activity moves it.
    public var nextDue: Duration { lastActivity + interval }

    /// A request went out (or tester present itself): the quiet time starts again.
    public mutating func noteActivity(at now: Duration) {
        lastActivity = max(lastActivity, now)
    }

    /// Whether tester present is due at `now`; when it is, the schedule counts it as sent.
    public mutating func isDue(at now: Duration) -> Bool {
        guard now >= nextDue else { return false }
        lastActivity = now
        return true
    }
}
