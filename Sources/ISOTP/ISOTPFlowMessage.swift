public import CANCore

/// Which way a reconstructed message went.
public enum ISOTPDirection: String, Hashable, Sendable {
    /// Tester to ECU.
    case request
    /// ECU to tester.
    case response
}

/// A message the ``ISOTPFlowTracker`` reassembled from observed traffic.
public struct ISOTPFlowMessage: Hashable, Sendable {
    /// The CAN id the message was sent on.
    public var id: CANIdentifier
    /// The id of the other side of the conversation (0x7E8 for 0x7E0, 0x758 for 0x750...), or nil for a
    /// functional request (0x7DF, 0x18DB...), which many ECUs may answer.
    public var peerID: CANIdentifier?
    /// The extended or mixed address byte that led every frame (Toyota's ECU sub-address), or nil.
    public var addressExtension: UInt8?
    /// Request (tester to ECU) or response.
    public var direction: ISOTPDirection
    /// Physical (one ECU) or functional (broadcast) addressing.
    public var targetType: ISOTPTargetType
    /// The timestamp of the single or first frame, when the input had times.
    public var firstTimestamp: Duration?
    /// The timestamp of the frame that completed the message.
    public var lastTimestamp: Duration?
    /// The reassembled message.
    public var payload: [UInt8]
    /// How many frames carried it: 1 for a single frame, else the first frame plus its consecutive frames.
    public var frameCount: Int
    /// How many flow-control frames the other side sent for it.
    public var flowControlFrameCount: Int
    /// The interface of the frame that started the message, if known.
    public var interface: String?

    /// Creates a message record.
    public init(
        id: CANIdentifier, peerID: CANIdentifier?, addressExtension: UInt8?, direction: ISOTPDirection,
        targetType: ISOTPTargetType, firstTimestamp: Duration?, lastTimestamp: Duration?, payload: [UInt8],
        frameCount: Int, flowControlFrameCount: Int, interface: String?
    ) {
        self.id = id
        self.peerID = peerID
        self.addressExtension = addressExtension
        self.direction = direction
        self.targetType = targetType
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.payload = payload
        self.frameCount = frameCount
        self.flowControlFrameCount = flowControlFrameCount
        self.interface = interface
    }
}

/// A segmented message the ``ISOTPFlowTracker`` has started but not finished: the state a tracker carries
/// from one stretch of a log to the next.
public struct ISOTPFlowPartialMessage: Hashable, Sendable {
    /// What is known of the message so far; `payload` holds the bytes received, `lastTimestamp` the time of
    /// the latest frame.
    public var message: ISOTPFlowMessage
    /// The length the first frame announced.
    public var expectedLength: Int
    /// The sequence number the next consecutive frame must carry.
    public var nextSequenceNumber: UInt8
    /// RX_DL: the length of the first frame, which every consecutive frame but the last must have.
    public var receiveDataLength: Int
}
