import Encoding
import FunctionCore
import JSON
import Kafka
import PubSubWire

/// What a command that succeeded answers, before it is written in the client's form (protobuf
/// JSON in a text message, or a binary `PubSubResp`).
package enum PubSubAnswer {
    case pong(state: [UInt8])
    case listOffset(Int64)
    case fetch(PubSubFetchAnswer)
}

/// The form a WebSocket message came in; its answer goes back in the same one.
package enum PubSubForm {
    /// Protobuf's JSON form in a text message.
    case json
    /// A binary `PubSubResp`, base64 in the proxy answer with `isBase64Encoded: true`.
    case binary
}

/// A `kafka_fetch_resp` filled record by record, in the client's form, while it stays within
/// the WebSocket message budget (counted in the bytes the client receives).
package struct PubSubFetchAnswer {
    package enum Appended {
        case added
        /// The answer is full: the record waits for the next fetch.
        case full
        /// The record alone does not fit in an answer: `size` bytes in this form.
        case tooLarge(size: Int)
    }

    package let form: PubSubForm
    private let budget: Int
    package private(set) var count = 0
    /// Key and value bytes of the records added (for metrics).
    package private(set) var payloadBytes = 0
    private var json: JSONWriter
    package private(set) var messages: [KafkaMessage] = []
    private var binarySize = 0

    package init(form: PubSubForm, budget: Int) {
        self.form = form
        self.budget = budget
        json = JSONWriter(reservingCapacity: form == .json ? 16 * 1024 : 0)
    }

    package mutating func append(_ record: ConsumedRecord) -> Appended {
        let size: Int
        switch form {
        case .json:
            let start = json.bytes.count
            if count > 0 { json.appendASCII(",") }
            PubSubHandler.render(record, into: &json)
            guard json.bytes.count <= budget else {
                size = json.bytes.count - start
                json.truncate(to: start)
                return count == 0 ? .tooLarge(size: size) : .full
            }
        case .binary:
            let message = KafkaMessage(
                offset: record.offset, timestamp: record.timestampMs ?? 0, key: record.key ?? [], value: record.value ?? [])
            size = PubSubResponse.fetchEntrySize(message)
            guard binarySize + size <= budget else { return count == 0 ? .tooLarge(size: size) : .full }
            binarySize += size
            messages.append(message)
        }
        count += 1
        payloadBytes += (record.key?.count ?? 0) + (record.value?.count ?? 0)
        return .added
    }

    /// `"kafka_fetch_resp":{"messages":[...]}`, a member to splice into the JSON answer.
    package var jsonMember: [UInt8] {
        Array("\"kafka_fetch_resp\":{\"messages\":[".utf8) + json.bytes + Array("]}".utf8)
    }
}
