/// The decoding an event goes through before any Kafka call, as one entry point for the
/// fuzzer (`Fuzz/EventDecoderFuzzer`): JSON parsing, API Gateway request decoding and route
/// validation, EventBridge unwrapping, action and record decoding, and the error answers.
@_spi(Fuzzing) public enum EventDecodingProbe {
    public enum Outcome: Sendable {
        /// A direct or EventBridge event that would run this action.
        case action(String)
        /// An API Gateway request that would run this route.
        case route(String)
        /// The function error the event is answered with, and its serialised body.
        case functionError(type: String, message: String, body: [UInt8])
        /// The API Gateway proxy answer the request gets, and its status.
        case httpProblem(status: Int, message: String, answer: [UInt8])
    }

    public static func decode(_ event: [UInt8]) -> Outcome {
        do throws(FunctionError) {
            let scanned = try EventDecoder.scan(event)
            if APIGatewayRequest.isAPIGatewayEvent(scanned.document) {
                let document = scanned.replacedRecords ? try EventDecoder.parse(event) : scanned.document
                do throws(HTTPProblem) {
                    let route = try APIGatewayRouter.resolve(try APIGatewayRequest.decode(document))
                    return .route(route.actionName)
                } catch {
                    return .httpProblem(
                        status: error.status, message: error.message, answer: APIGatewayResponse.problem(error).serialized())
                }
            }
            return .action(try EventDecoder.decode(scanned).actionName)
        } catch {
            return .functionError(type: error.errorType, message: error.errorMessage, body: error.errorBody)
        }
    }
}
