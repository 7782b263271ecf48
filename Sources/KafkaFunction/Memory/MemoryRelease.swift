import CMallocShim

/// Keeps the process's resident memory near what the current invocation needs.
///
/// glibc raises its mmap threshold after a large block is freed, so the next large event or answer
/// comes from the heap and stays resident after the invocation; a fixed threshold keeps every large
/// buffer (events, arenas, answers) in its own mapping, returned to the system when freed. Small
/// blocks freed after a large invocation are handed back with `malloc_trim`.
enum MemoryRelease {
    /// Events or answers at least this large are followed by a trim.
    static let largeInvocationBytes = 1 << 20
    static let mmapThresholdBytes: Int32 = 256 * 1024

    static func configure() {
        cmalloc_set_mmap_threshold(mmapThresholdBytes)
    }

    static func afterInvocation(eventBytes: Int, answerBytes: Int) {
        if max(eventBytes, answerBytes) >= largeInvocationBytes {
            cmalloc_trim()
        }
    }
}
