import Foundation

/// The JSON `GET /_emulator/status` answers.
public struct StatusReport: Encodable, Equatable, Sendable {
    public var bootstrapPID: Int32?
    public var restarts: Int
    public var invocationsServed: Int
    public var pendingInvocations: Int
    public var inFlightRequestID: String?
    public var faults: FaultPlan.Snapshot

    public init(bootstrapPID: Int32?, restarts: Int, invocationsServed: Int, pendingInvocations: Int,
                inFlightRequestID: String?, faults: FaultPlan.Snapshot) {
        self.bootstrapPID = bootstrapPID
        self.restarts = restarts
        self.invocationsServed = invocationsServed
        self.pendingInvocations = pendingInvocations
        self.inFlightRequestID = inFlightRequestID
        self.faults = faults
    }

    enum CodingKeys: String, CodingKey {
        case bootstrapPID = "bootstrap_pid"
        case restarts
        case invocationsServed = "invocations_served"
        case pendingInvocations = "pending_invocations"
        case inFlightRequestID = "in_flight_request_id"
        case faults
    }

    // Absent values are written as null so clients see every key.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(bootstrapPID, forKey: .bootstrapPID)
        try container.encode(restarts, forKey: .restarts)
        try container.encode(invocationsServed, forKey: .invocationsServed)
        try container.encode(pendingInvocations, forKey: .pendingInvocations)
        try container.encode(inFlightRequestID, forKey: .inFlightRequestID)
        try container.encode(faults, forKey: .faults)
    }

    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}
