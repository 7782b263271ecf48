import FunctionMetrics
import JSON
import Kafka
import LambdaRuntime

/// A consume answered as a response stream (`"stream": true`): JSON Lines, one record object per
/// line as it is read (the same object as in a buffered answer's `records`), then one summary line
/// (the buffered answer without `records`: `action`, `count`, `next_offsets`, ...).
///
/// Not bound by the 6 MB of a buffered answer: records stop before Lambda's 200 MB streaming
/// limit, and the rest is left for the next call as when a buffered answer is full.
package enum StreamedConsume {
    package static let contentType = "application/x-ndjson"
    /// Records are sent in chunks of about this size, so a small record costs no write of its own.
    package static let chunkBytes = 64 * 1024
    package static let recordBudget = ResponseStream.maximumBytes - ConsumeAction.envelopeReserveBytes

    /// Streams the records and returns the summary line, which the runtime sends as the last chunk.
    package static func run(
        _ options: ConsumeOptions, clients: any KafkaAccess, invocation: FunctionInvocation, stream: any ChunkOutput
    ) throws -> [UInt8] {
        let started = ContinuousClock.now
        let timeout = options.timeoutMilliseconds.map { Duration.milliseconds($0) } ?? ConsumeAction.defaultTimeout
        var pending = JSONWriter(reservingCapacity: chunkBytes * 2)
        var sentBytes = 0
        var tally = ConsumeRecords.Tally()
        var writeFailure: ResponseStreamError?
        func send(_ bytes: [UInt8]) -> ResponseStreamError? {
            do throws(ResponseStreamError) {
                try stream.write(bytes)
                return nil
            } catch {
                return error
            }
        }
        let result = try ConsumeRecords.consume(options, clients: clients, deadline: min(invocation.deadline, started + timeout)) { record in
            let start = pending.bytes.count
            RecordRenderer.render(record, into: &pending)
            pending.appendLiteral("\n")
            guard sentBytes + pending.bytes.count <= recordBudget else {
                pending.truncate(to: start)
                return false
            }
            if pending.bytes.count >= chunkBytes {
                if let failure = send(pending.bytes) {
                    // The record just rendered is not returned, so it is not committed either.
                    writeFailure = failure
                    return false
                }
                sentBytes += pending.bytes.count
                pending.truncate(to: 0)
            }
            tally.add(record)
            return true
        }
        if let writeFailure {
            throw writeFailure
        }
        invocation.metrics.recordsConsumed = tally.count
        invocation.metrics.bytesConsumed = tally.recordBytes

        var summary = pending
        summary.writeConsumeHead(options)
        summary.appendASCII(",\"count\":\(tally.count)")
        summary.writeConsumeOutcome(result)
        summary.appendASCII(",\"elapsed_ms\":\((ContinuousClock.now - started).wholeMilliseconds)}\n")
        return summary.bytes
    }
}

/// Where a streamed answer's chunks go: the Runtime API stream itself, or one opened at its first
/// write (`DeferredStream`).
package protocol ChunkOutput: AnyObject {
    func write(_ bytes: [UInt8]) throws(ResponseStreamError)
}

extension ResponseStream: ChunkOutput {}
