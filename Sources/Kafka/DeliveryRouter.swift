import CRdKafka
import Synchronization

/// The open `send` calls of one producer, each with its own `DeliveryBatch`.
///
/// Several runtime loops may produce through one librdkafka handle at once; every delivery report
/// arrives on the handle's one queue, and whichever call polls it routes each report to the batch
/// of the call that produced the record, by the generation in the record's opaque. A report for a
/// call that already returned (after its deadline) finds no batch and is dropped.
final class DeliveryRouter: Sendable {
    private struct State: ~Copyable {
        var lastGeneration: UInt32 = 0
        var batches: [UInt32: DeliveryBatch] = [:]
    }

    private let state = Mutex(State())

    /// Registers a call producing `count` records; its generation is never 0 nor one still open.
    func open(count: Int) -> DeliveryTicket {
        state.withLock { state in
            var generation = state.lastGeneration
            repeat {
                generation = generation == .max ? 1 : generation + 1
            } while state.batches[generation] != nil
            state.lastGeneration = generation
            state.batches[generation] = DeliveryBatch(count: count, generation: generation)
            return DeliveryTicket(generation: generation, router: self)
        }
    }

    /// Records every delivery report of a `RD_KAFKA_EVENT_DR` event in the batch of the call that
    /// produced its record (one lock for the whole event).
    func route(reportsOf event: OpaquePointer) {
        state.withLock { state in
            while let message = rd_kafka_event_message_next(event) {
                let generation = UInt32(truncatingIfNeeded: UInt(bitPattern: message.pointee._private) >> 32)
                state.batches[generation]?.record(message)
            }
        }
    }

    /// Calls still waiting for reports, this one included.
    var openCalls: Int {
        state.withLock { $0.batches.count }
    }

    fileprivate func update<R>(_ generation: UInt32, _ body: (inout DeliveryBatch) -> R) -> R? {
        state.withLock { state in
            guard state.batches[generation] != nil else { return nil }
            return body(&state.batches[generation]!)
        }
    }

    fileprivate func close(_ generation: UInt32) -> [DeliveryReport] {
        state.withLock { $0.batches.removeValue(forKey: generation)?.reports ?? [] }
    }
}

/// One call's handle on its batch in the router.
struct DeliveryTicket: Sendable {
    let generation: UInt32
    let router: DeliveryRouter

    var pending: Int {
        router.update(generation) { $0.pending } ?? 0
    }

    func fail(_ index: Int, _ error: KafkaError) {
        router.update(generation) { $0.fail(index, error) }
    }

    func failPending(_ error: KafkaError) {
        router.update(generation) { $0.failPending(error) }
    }

    /// After the deadline: this call's purge reports become timeout errors.
    func startPurging() {
        router.update(generation) { $0.purging = true }
    }

    /// Unregisters the call and returns its reports, one per record in order.
    func close() -> [DeliveryReport] {
        router.close(generation)
    }
}
