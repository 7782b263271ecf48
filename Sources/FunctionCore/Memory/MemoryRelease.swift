import CMallocShim
import JSON

/// Keeps the process's resident memory near what the current invocation needs.
///
/// glibc raises its mmap threshold after a large block is freed, so the next large event or answer
/// comes from the heap and stays resident after the invocation; a fixed threshold keeps every large
/// buffer (events, arenas, answers) in its own mapping, returned to the system when freed. Small
/// blocks freed after a large invocation are handed back with `malloc_trim`.
package enum MemoryRelease {
    /// Events or answers at least this large are followed by a trim.
    package static let largeInvocationBytes = 1 << 20
    package static let mmapThresholdBytes: Int32 = 256 * 1024

    package static func configure() {
        cmalloc_set_mmap_threshold(mmapThresholdBytes)
    }

    /// Sends of at least this many records hand librdkafka's freed copies back before the answer.
    package static let largeSendRecords = 10_000

    /// After a large send: librdkafka's copies of the records, freed as they were acknowledged, are
    /// small blocks that stay resident in the heap; the answer (its own mapping) would otherwise
    /// come on top of them, and a 50,000-record event's peak with it.
    package static func afterSend(recordCount: Int) {
        if recordCount >= largeSendRecords {
            cmalloc_trim()
        }
    }

    package static func afterInvocation(eventBytes: Int, answerBytes: Int) {
        if max(eventBytes, answerBytes) >= largeInvocationBytes {
            cmalloc_trim()
        }
    }
}
