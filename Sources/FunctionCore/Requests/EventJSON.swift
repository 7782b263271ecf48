import JSON

/// The event's bytes as JSON, with the one error every way in answers for bytes that are not JSON.
package enum EventJSON {
    /// Reads the event in one pass (see `ScannedEvent`).
    package static func scan(_ bytes: [UInt8]) throws(FunctionError) -> ScannedEvent {
        do {
            return try ScannedEvent.scan(bytes)
        } catch {
            throw .invalidEvent("The event is not valid JSON: \(error)")
        }
    }

    /// The whole event as a tree (for API Gateway events, whose body is one string).
    package static func parse(_ bytes: [UInt8]) throws(FunctionError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw .invalidEvent("The event is not valid JSON: \(error)")
        }
    }
}
