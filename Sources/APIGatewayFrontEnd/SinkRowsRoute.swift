import Encoding
import FunctionCore
import JSON
import PostgresSink

/// `GET /topics/{topic}/rows?key=&limit=&after_offset=`: the sink's rows for a topic, in offset order.
package struct SinkRowsQuery {
    package static let defaultLimit = 100
    package static let maximumLimit = 1000

    package var topic: String
    package var key: [UInt8]?
    package var limit: Int
    package var afterOffset: Int64

    package static func decode(_ query: [String: String], topic: String) throws(HTTPProblem) -> SinkRowsQuery {
        var result = SinkRowsQuery(topic: topic, key: nil, limit: defaultLimit, afterOffset: -1)
        for (name, text) in query.sorted(by: { $0.key < $1.key }) {
            switch name {
            case "key":
                result.key = Array(text.utf8)
            case "limit":
                guard let limit = Int(text), (1...maximumLimit).contains(limit) else {
                    throw HTTPProblem(400, "Query parameter 'limit' must be an integer from 1 to \(maximumLimit)")
                }
                result.limit = limit
            case "after_offset":
                guard let offset = Int64(text), offset >= -1 else {
                    throw HTTPProblem(400, "Query parameter 'after_offset' must be an integer of at least -1")
                }
                result.afterOffset = offset
            default:
                throw HTTPProblem(400, "Unknown query parameter '\(name.truncatedForMessage)': use key, limit, after_offset")
            }
        }
        return result
    }
}

package enum SinkRowsRoute {
    package static func handle(_ query: SinkRowsQuery, sink: PostgresSink?) throws(HTTPProblem) -> APIGatewayResponse {
        guard let sink else {
            throw HTTPProblem(501, "No sink is configured: set \(SinkEnvironment.urlVariable) to read rows")
        }
        var rows: [SinkRow]
        do {
            rows = try sink.rows(topic: query.topic, key: query.key, afterOffset: query.afterOffset, limit: query.limit + 1)
        } catch {
            let failure = FunctionError(error)
            switch failure.kind {
            case .tableNotFound: throw HTTPProblem(404, PostgresSink.noRowsMessage)
            case .databaseUnavailable, .databaseAuthFailed: throw HTTPProblem(503, "\(failure.errorType): \(failure.errorMessage)")
            default: throw HTTPProblem(502, "\(failure.errorType): \(failure.errorMessage)")
            }
        }
        // A page ends between offsets: rows of other partitions at the page's last offset come with it
        // or on the next page, never half on each (unless one offset alone fills the page).
        var next: Int64?
        if rows.count > query.limit {
            let boundary = rows[query.limit].offset
            rows.removeLast(rows.count - query.limit)
            if rows.contains(where: { $0.offset != boundary }) {
                while rows.last?.offset == boundary { rows.removeLast() }
            }
            next = rows.last?.offset
        }
        var writer = JSONWriter(reservingCapacity: 256 + rows.count * 256)
        writer.appendASCII("{\"topic\":")
        writer.writeString(query.topic)
        writer.appendASCII(",\"table\":")
        writer.writeString(sink.table(for: query.topic).description)
        writer.appendASCII(",\"rows\":[")
        for (index, row) in rows.enumerated() {
            if index > 0 { writer.appendASCII(",") }
            write(row, to: &writer)
        }
        writer.appendASCII("],\"next_after_offset\":")
        writer.write(next.map { JSONValue.integer($0) } ?? .null)
        writer.appendASCII("}")
        return .json(200, writer.bytes)
    }

    private static func write(_ row: SinkRow, to writer: inout JSONWriter) {
        writer.appendASCII("{\"partition\":\(row.partition),\"offset\":\(row.offset),")
        writeBytes(row.key, name: "key", to: &writer)
        writer.appendASCII(",")
        if let json = row.valueJSON {
            writer.appendASCII("\"value\":")
            writer.writeRaw(Array(json.utf8))
        } else if let bytes = row.valueBytes {
            writeBytes(bytes, name: "value", to: &writer)
        } else {
            writer.appendASCII("\"value\":null")
        }
        writer.appendASCII(",\"headers\":")
        writer.writeRaw(Array(row.headersJSON.utf8))
        writer.appendASCII(",\"timestamp\":")
        writer.write(row.timestampMilliseconds.map { JSONValue.integer($0) } ?? .null)
        writer.appendASCII(",\"timestamp_type\":")
        writer.write(row.timestampType.map { JSONValue.string($0) } ?? .null)
        writer.appendASCII("}")
    }

    /// UTF-8 text as `"name"`, anything else as `"name_base64"`.
    private static func writeBytes(_ bytes: [UInt8]?, name: String, to writer: inout JSONWriter) {
        guard let bytes else {
            writer.appendASCII("\"\(name)\":null")
            return
        }
        if let text = String(validating: bytes, as: UTF8.self) {
            writer.appendASCII("\"\(name)\":")
            writer.writeString(text)
        } else {
            writer.appendASCII("\"\(name)_base64\":")
            writer.writeString(Base64.encode(bytes))
        }
    }
}
