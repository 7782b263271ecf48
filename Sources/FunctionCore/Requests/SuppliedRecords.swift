import JSON
import Kafka

/// The records of an event, decoded in place: each key, value and header is a span of the event's
/// own bytes when they are already what goes to Kafka, or of `arena` when decoding changed them
/// (escapes, base64, compaction). No record is copied into a structure of its own.
package struct SuppliedRecords {
    package struct Span {
        package var start: Int32
        package var count: Int32
        package var inArena: Bool
    }

    package struct Entry {
        package var key: Span?
        package var value: Span?
        /// -1: the partitioner chooses.
        package var partition: Int32
        package var firstHeader: Int32
        package var headerCount: Int32
        /// The record has an `X-Amzn-Trace-Id` header of its own.
        package var hasTraceHeader: Bool
    }

    /// The event (shared storage, not a copy).
    package let source: [UInt8]
    package var arena: [UInt8] = []
    package var entries: [Entry] = []
    package var headers: [(name: Span, value: Span)] = []

    package var count: Int { entries.count }

    /// Key and value bytes of record `index`.
    package func payloadBytes(_ index: Int) -> Int {
        Int(entries[index].key?.count ?? 0) + Int(entries[index].value?.count ?? 0)
    }

    /// Record `index` as a standalone value (for tests and diagnostics; the produce path never builds it).
    package subscript(index: Int) -> OutgoingRecord {
        let entry = entries[index]
        let headerRange = Int(entry.firstHeader)..<Int(entry.firstHeader + entry.headerCount)
        return OutgoingRecord(
            key: entry.key.map(bytes), value: entry.value.map(bytes),
            headers: headers[headerRange].map { (String(decoding: bytes($0.name), as: UTF8.self), bytes($0.value)) },
            partition: entry.partition >= 0 ? entry.partition : nil)
    }

    private func bytes(_ span: Span) -> [UInt8] {
        Array((span.inArena ? arena : source)[Int(span.start)..<Int(span.start + span.count)])
    }

    /// Calls `body` with the records as librdkafka takes them, valid only inside `body`.
    /// - Parameter traceHeader: added to every record that has no `X-Amzn-Trace-Id` header.
    package func withProducible<R>(traceHeader: (name: String, value: String)?, _ body: (ProducibleView) -> R) -> R {
        source.withUnsafeBytes { source in
            arena.withUnsafeBytes { arena in
                entries.withUnsafeBufferPointer { entries in
                    headers.withUnsafeBufferPointer { headers in
                        var name = traceHeader?.name ?? ""
                        var value = traceHeader?.value ?? ""
                        return name.withUTF8 { name in
                            value.withUTF8 { value in
                                body(ProducibleView(
                                    source: source, arena: arena, entries: entries, headers: headers,
                                    traceHeader: traceHeader == nil ? nil : (UnsafeRawBufferPointer(name), UnsafeRawBufferPointer(value))))
                            }
                        }
                    }
                }
            }
        }
    }

    package struct ProducibleView: ProducibleRecords {
        package let source: UnsafeRawBufferPointer
        package let arena: UnsafeRawBufferPointer
        package let entries: UnsafeBufferPointer<Entry>
        package let headers: UnsafeBufferPointer<(name: Span, value: Span)>
        package let traceHeader: (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?

        package var count: Int { entries.count }

        package func record(_ index: Int) -> RecordBytes {
            let entry = entries[index]
            let extra = traceHeader != nil && !entry.hasTraceHeader ? 1 : 0
            return RecordBytes(
                key: entry.key.map(bytes), value: entry.value.map(bytes),
                partition: entry.partition >= 0 ? entry.partition : nil, headerCount: Int(entry.headerCount) + extra)
        }

        package func header(_ number: Int, ofRecord index: Int) -> (name: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
            let entry = entries[index]
            if number < entry.headerCount {
                let header = headers[Int(entry.firstHeader) + number]
                return (bytes(header.name), bytes(header.value))
            }
            // The one header past the record's own is the trace header (see `record(_:)`).
            return traceHeader ?? (UnsafeRawBufferPointer(start: nil, count: 0), UnsafeRawBufferPointer(start: nil, count: 0))
        }

        private func bytes(_ span: Span) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: (span.inArena ? arena : source)[Int(span.start)..<Int(span.start + span.count)])
        }
    }
}
