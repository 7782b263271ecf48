/// Faults injected through `POST /_emulator/faults`, for reliability tests of a runtime.
///
/// Each fault applies to the next `count` matching requests, then disarms itself.
public struct FaultPlan: Equatable, Sendable {
    /// How long the emulator waits before accepting `GET .../invocation/next`.
    public private(set) var nextDelayMilliseconds: Int64 = 0
    public private(set) var nextDelayRemaining = 0
    /// The status the emulator answers to `POST .../invocation/{id}/response` instead of accepting it.
    public private(set) var responseStatus = 0
    public private(set) var responseStatusRemaining = 0

    public init() {}

    /// The JSON body of `POST /_emulator/faults`; absent fields leave that fault unchanged.
    public struct Request: Codable, Equatable, Sendable {
        public var nextDelayMs: Int64?
        public var responseStatus: Int?
        public var count: Int?

        public init(nextDelayMs: Int64? = nil, responseStatus: Int? = nil, count: Int? = nil) {
            self.nextDelayMs = nextDelayMs
            self.responseStatus = responseStatus
            self.count = count
        }

        enum CodingKeys: String, CodingKey {
            case nextDelayMs = "next_delay_ms"
            case responseStatus = "response_status"
            case count
        }
    }

    public struct InvalidRequest: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Arms the faults a request names; throws without changing anything if a value is out of range.
    public mutating func apply(_ request: Request) throws {
        let count = request.count ?? 1
        guard (1...1_000_000).contains(count) else {
            throw InvalidRequest(description: "count must be between 1 and 1000000")
        }
        if let delay = request.nextDelayMs, !(0...900_000).contains(delay) {
            throw InvalidRequest(description: "next_delay_ms must be between 0 and 900000")
        }
        if let status = request.responseStatus, !(200...599).contains(status) {
            throw InvalidRequest(description: "response_status must be between 200 and 599")
        }
        guard request.nextDelayMs != nil || request.responseStatus != nil else {
            throw InvalidRequest(description: "name at least one of next_delay_ms, response_status")
        }
        if let delay = request.nextDelayMs {
            nextDelayMilliseconds = delay
            nextDelayRemaining = delay > 0 ? count : 0
        }
        if let status = request.responseStatus {
            responseStatus = status
            responseStatusRemaining = count
        }
    }

    /// The delay to apply to this `next` request, if a delay fault is armed (consumes one).
    public mutating func takeNextDelay() -> Int64? {
        guard nextDelayRemaining > 0 else { return nil }
        nextDelayRemaining -= 1
        return nextDelayMilliseconds
    }

    /// The status to answer this `/response` request with, if a status fault is armed (consumes one).
    public mutating func takeResponseStatus() -> Int? {
        guard responseStatusRemaining > 0 else { return nil }
        responseStatusRemaining -= 1
        return responseStatus
    }

    /// What `GET /_emulator/faults` and `/_emulator/status` report.
    public struct Snapshot: Codable, Equatable, Sendable {
        public var nextDelayMs: Int64
        public var nextDelayRemaining: Int
        public var responseStatus: Int
        public var responseStatusRemaining: Int

        enum CodingKeys: String, CodingKey {
            case nextDelayMs = "next_delay_ms"
            case nextDelayRemaining = "next_delay_remaining"
            case responseStatus = "response_status"
            case responseStatusRemaining = "response_status_remaining"
        }
    }

    public var snapshot: Snapshot {
        Snapshot(
            nextDelayMs: nextDelayRemaining > 0 ? nextDelayMilliseconds : 0,
            nextDelayRemaining: nextDelayRemaining,
            responseStatus: responseStatusRemaining > 0 ? responseStatus : 0,
            responseStatusRemaining: responseStatusRemaining)
    }
}
