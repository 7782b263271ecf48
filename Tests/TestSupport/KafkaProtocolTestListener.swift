// A minimal Kafka broker for testing what our client sends with CreateTopics, which librdkafka's
// mock cluster cannot answer.
//
// Covered: plain TCP on 127.0.0.1; request framing (int32 size, request header v1, and v2 for
// ApiVersions v3); ApiVersions v0-v3 (advertising ApiVersions 0-3, Metadata 1-4, CreateTopics 0-4);
// Metadata v1-v4 (this listener as the only broker and controller; a requested topic it knows is
// listed with its partitions, led by this broker, so a client sees a topic appear once created);
// CreateTopics v0-v4 (every topic decoded: name, partitions, replication factor, plus the request
// timeout; answered NO_ERROR and remembered, or TOPIC_ALREADY_EXISTS (36) for a known name).
// Not covered: TLS, SASL, any other request (the connection is closed), flexible versions other
// than ApiVersions v3, replica assignments and topic configs (decoded and skipped), validate_only.

import Foundation

/// One topic of a CreateTopics request, as the listener decoded it.
public struct ReceivedTopicCreation: Sendable, Equatable {
    public var name: String
    public var partitions: Int32
    public var replicationFactor: Int16
    public var timeoutMs: Int32
    public var apiVersion: Int16
}

public final class KafkaProtocolTestListener: @unchecked Sendable {
    public let port: UInt16
    public var bootstrapServer: String { "127.0.0.1:\(port)" }

    private let listenSocket: Int32
    private let lock = NSLock()
    private var existingTopics: Set<String>
    /// Partition counts of the topics created through CreateTopics (existing ones have one).
    private var partitionCounts: [String: Int32] = [:]
    private var received: [ReceivedTopicCreation] = []
    private var connections: [Int32] = []
    private var stopped = false

    static let apiVersions: Int16 = 18, metadata: Int16 = 3, createTopics: Int16 = 19
    static let supported: [(key: Int16, min: Int16, max: Int16)] = [(apiVersions, 0, 3), (metadata, 1, 4), (createTopics, 0, 4)]
    static let nodeID: Int32 = 1

    /// Topics that exist but Metadata does not list until a CreateTopics names them: another
    /// client created them between our lookup and our CreateTopics.
    private var racingTopics: Set<String>

    /// `existingTopics` are answered TOPIC_ALREADY_EXISTS; created topics join them.
    /// `racingTopics` too, but Metadata lists them only after a CreateTopics for them.
    public init(existingTopics: Set<String> = [], racingTopics: Set<String> = []) throws {
        self.existingTopics = existingTopics.union(racingTopics)
        self.racingTopics = racingTopics
        let bound = try LoopbackPort.boundSocket(listening: 16)
        listenSocket = bound.socket
        port = bound.port
        Thread.detachNewThread { [self] in acceptConnections() }
    }

    deinit {
        stop()
    }

    /// Topics of every CreateTopics request so far, in arrival order.
    public var topicCreations: [ReceivedTopicCreation] {
        lock.withLock { received }
    }

    public func stop() {
        let open: [Int32] = lock.withLock {
            guard !stopped else { return [] }
            stopped = true
            return connections + [listenSocket]
        }
        for fd in open { shutdown(fd, Int32(SHUT_RDWR)) }
        if !open.isEmpty { close(listenSocket) }
    }

    private func acceptConnections() {
        while true {
            let connection = accept(listenSocket, nil, nil)
            guard connection >= 0 else { return }
            let accepted = lock.withLock { () -> Bool in
                guard !stopped else { return false }
                connections.append(connection)
                return true
            }
            guard accepted else { close(connection); return }
            Thread.detachNewThread { [self] in
                serve(connection)
                lock.withLock { connections.removeAll { $0 == connection } }
                close(connection)
            }
        }
    }

    private func serve(_ connection: Int32) {
        while let frame = readFrame(connection) {
            var request = ProtocolReader(frame)
            guard let response = try? answer(&request) else { return }
            var framed = ProtocolWriter()
            framed.int32(Int32(response.count))
            framed.bytes(response)
            guard writeAll(connection, framed.data) else { return }
        }
    }

    private func answer(_ request: inout ProtocolReader) throws -> [UInt8] {
        let apiKey = try request.int16()
        let version = try request.int16()
        let correlationID = try request.int32()
        _ = try request.nullableString()  // client id
        var response = ProtocolWriter()
        response.int32(correlationID)  // response header v0 (also for ApiVersions v3)
        switch apiKey {
        case Self.apiVersions:
            if version >= 3 { try request.skipTaggedFields() }
            answerApiVersions(version: version, into: &response)
        case Self.metadata where (1...4).contains(version):
            try answerMetadata(version: version, request: &request, into: &response)
        case Self.createTopics where (0...4).contains(version):
            try answerCreateTopics(version: version, request: &request, into: &response)
        default:
            throw ProtocolError.unsupported(apiKey: apiKey, version: version)
        }
        return response.data
    }

    private func answerApiVersions(version: Int16, into response: inout ProtocolWriter) {
        let flexible = version >= 3
        response.int16(version > 3 ? 35 : 0)  // UNSUPPORTED_VERSION still lists what we support
        if flexible { response.unsignedVarint(UInt32(Self.supported.count + 1)) } else { response.int32(Int32(Self.supported.count)) }
        for api in Self.supported {
            response.int16(api.key)
            response.int16(api.min)
            response.int16(api.max)
            if flexible { response.unsignedVarint(0) }
        }
        if version >= 1 { response.int32(0) }  // throttle time
        if flexible { response.unsignedVarint(0) }
    }

    private func answerMetadata(version: Int16, request: inout ProtocolReader, into response: inout ProtocolWriter) throws {
        var requested: [String] = []
        for _ in 0..<max(0, try request.int32()) { requested.append(try request.string()) }  // -1: every topic
        let known = lock.withLock { requested.filter { existingTopics.contains($0) && !racingTopics.contains($0) }.map { ($0, partitionCounts[$0] ?? 1) } }
        if version >= 3 { response.int32(0) }  // throttle time
        response.int32(1)  // brokers
        response.int32(Self.nodeID)
        response.string("127.0.0.1")
        response.int32(Int32(port))
        response.nullableString(nil)  // rack
        if version >= 2 { response.nullableString("kafka-protocol-test-listener") }
        response.int32(Self.nodeID)  // controller
        response.int32(Int32(known.count))  // topics
        for (name, partitions) in known {
            response.int16(0)
            response.string(name)
            response.int8(0)  // not internal
            response.int32(partitions)
            for partition in 0..<partitions {
                response.int16(0)
                response.int32(partition)
                response.int32(Self.nodeID)  // leader
                response.int32(1)  // replicas
                response.int32(Self.nodeID)
                response.int32(1)  // in-sync replicas
                response.int32(Self.nodeID)
            }
        }
    }

    private func answerCreateTopics(version: Int16, request: inout ProtocolReader, into response: inout ProtocolWriter) throws {
        var topics: [(name: String, partitions: Int32, replicationFactor: Int16)] = []
        for _ in 0..<max(0, try request.int32()) {
            let name = try request.string()
            let partitions = try request.int32()
            let replicationFactor = try request.int16()
            for _ in 0..<max(0, try request.int32()) {  // replica assignments
                _ = try request.int32()
                for _ in 0..<max(0, try request.int32()) { _ = try request.int32() }
            }
            for _ in 0..<max(0, try request.int32()) {  // configs
                _ = try request.string()
                _ = try request.nullableString()
            }
            topics.append((name, partitions, replicationFactor))
        }
        let timeoutMs = try request.int32()
        if version >= 1 { _ = try request.int8() }  // validate_only

        if version >= 2 { response.int32(0) }  // throttle time
        response.int32(Int32(topics.count))
        for topic in topics {
            let exists = lock.withLock { () -> Bool in
                received.append(ReceivedTopicCreation(
                    name: topic.name, partitions: topic.partitions, replicationFactor: topic.replicationFactor,
                    timeoutMs: timeoutMs, apiVersion: version))
                racingTopics.remove(topic.name)
                let created = existingTopics.insert(topic.name).inserted
                if created { partitionCounts[topic.name] = max(topic.partitions, 1) }
                return !created
            }
            response.string(topic.name)
            response.int16(exists ? 36 : 0)
            if version >= 1 { response.nullableString(exists ? "Topic '\(topic.name)' already exists." : nil) }
        }
    }

    private func readFrame(_ connection: Int32) -> [UInt8]? {
        guard let sizeBytes = readExactly(connection, 4) else { return nil }
        let size = sizeBytes.reduce(0) { $0 << 8 | Int($1) }
        guard size > 0, size < 1 << 24 else { return nil }
        return readExactly(connection, size)
    }

    private func readExactly(_ connection: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var filled = 0
        while filled < count {
            let result = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return read(connection, base + filled, count - filled)
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return nil }
            filled += result
        }
        return buffer
    }

    private func writeAll(_ connection: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let result = bytes.withUnsafeBytes { raw -> Int in
                guard let base = raw.baseAddress else { return -1 }
                return write(connection, base + sent, bytes.count - sent)
            }
            if result < 0 && errno == EINTR { continue }
            guard result > 0 else { return false }
            sent += result
        }
        return true
    }
}

enum ProtocolError: Error {
    case truncated
    case unsupported(apiKey: Int16, version: Int16)
}

/// Big-endian Kafka protocol primitives.
struct ProtocolReader {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func take(_ count: Int) throws -> ArraySlice<UInt8> {
        guard count >= 0, position + count <= bytes.count else { throw ProtocolError.truncated }
        defer { position += count }
        return bytes[position..<position + count]
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
        try take(MemoryLayout<T>.size).reduce(T.zero) { $0 << 8 | T(truncatingIfNeeded: $1) }
    }

    mutating func int8() throws -> Int8 { try integer(Int8.self) }
    mutating func int16() throws -> Int16 { try integer(Int16.self) }
    mutating func int32() throws -> Int32 { try integer(Int32.self) }

    mutating func nullableString() throws -> String? {
        let length = try int16()
        guard length >= 0 else { return nil }
        return String(decoding: try take(Int(length)), as: UTF8.self)
    }

    mutating func string() throws -> String {
        try nullableString() ?? ""
    }

    mutating func unsignedVarint() throws -> UInt32 {
        var value: UInt32 = 0
        var shift: UInt32 = 0
        while true {
            let byte = try take(1).first ?? 0
            value |= UInt32(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
            guard shift < 35 else { throw ProtocolError.truncated }
        }
    }

    mutating func skipTaggedFields() throws {
        for _ in 0..<(try unsignedVarint()) {
            _ = try unsignedVarint()
            _ = try take(Int(try unsignedVarint()))
        }
    }
}

struct ProtocolWriter {
    private(set) var data: [UInt8] = []

    mutating func bytes(_ more: [UInt8]) { data.append(contentsOf: more) }

    private mutating func integer<T: FixedWidthInteger>(_ value: T) {
        for shift in stride(from: (MemoryLayout<T>.size - 1) * 8, through: 0, by: -8) {
            data.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    mutating func int8(_ value: Int8) { integer(value) }
    mutating func int16(_ value: Int16) { integer(value) }
    mutating func int32(_ value: Int32) { integer(value) }

    mutating func nullableString(_ value: String?) {
        guard let value else { return int16(-1) }
        int16(Int16(value.utf8.count))
        data.append(contentsOf: value.utf8)
    }

    mutating func string(_ value: String) { nullableString(value) }

    mutating func unsignedVarint(_ value: UInt32) {
        var rest = value
        while rest >= 0x80 {
            data.append(UInt8(rest & 0x7F) | 0x80)
            rest >>= 7
        }
        data.append(UInt8(rest))
    }
}
