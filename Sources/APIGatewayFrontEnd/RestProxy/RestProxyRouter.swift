import FunctionCore
import JSON
import Kafka
import Logging

/// The Kafka REST proxy v2 routes (kafka-rest's paths, bodies, statuses and error codes):
///
///     GET  /topics                                  topic names
///     GET  /topics/{t}                              name, configs, partitions
///     POST /topics/{t}                              produce (binary or json format)
///     GET  /topics/{t}/partitions[/{p}]             leader and replicas
///     POST /topics/{t}/partitions/{p}               produce to one partition
///     GET  /topics/{t}/partitions/{p}/offsets       beginning_offset, end_offset
///     GET  /brokers                                 broker ids
///     POST /consumers/{g}                           create a consumer instance
///     .../instances/{i}[/subscription|/assignments|/positions[/beginning|/end]|/records|/offsets]
///
/// The function's own routes (`/topics/{t}/records`, `/offsets`, `/rows`) stay with `APIGatewayRouter`.
package enum RestProxyRouter {
    enum Route {
        case listTopics, topic(String), produce(topic: String, partition: Int32?)
        case partitions(String), partition(String, Int32), partitionOffsets(String, Int32), brokers
        case createInstance(group: String)
        case instance(group: String, instance: String, InstanceCall)
    }

    enum InstanceCall: String {
        case delete, subscribe, subscription, unsubscribe, assign, assignments, seek, seekToBeginning, seekToEnd
        case records, commit, committed
    }

    /// The route, or nil when the path is not one of the proxy's (the function's own routes).
    /// - Throws: 405 for a proxy path with another method.
    static func match(_ request: APIGatewayRequest) throws(HTTPProblem) -> Route? {
        let segments = request.pathSegments
        let method = request.method
        func only(_ allowed: String, _ route: Route) throws(HTTPProblem) -> Route {
            guard method == allowed else { throw methodNotAllowed(allowed) }
            return route
        }
        switch segments.first {
        case "brokers" where segments.count == 1:
            return try only("GET", .brokers)
        case "topics":
            switch segments.count {
            case 1: return try only("GET", .listTopics)
            case 2:
                if method == "GET" { return .topic(segments[1]) }
                guard method == "POST" else { throw methodNotAllowed("GET,POST") }
                return .produce(topic: segments[1], partition: nil)
            case 3 where segments[2] == "partitions":
                return try only("GET", .partitions(segments[1]))
            case 4 where segments[2] == "partitions":
                let partition = try partitionNumber(segments[3])
                if method == "GET" { return .partition(segments[1], partition) }
                guard method == "POST" else { throw methodNotAllowed("GET,POST") }
                return .produce(topic: segments[1], partition: partition)
            case 5 where segments[2] == "partitions" && segments[4] == "offsets":
                return try only("GET", .partitionOffsets(segments[1], try partitionNumber(segments[3])))
            default:
                return nil
            }
        case "consumers":
            guard segments.count >= 2 else { return nil }
            let group = segments[1]
            if segments.count == 2 { return try only("POST", .createInstance(group: group)) }
            guard segments.count >= 4, segments[2] == "instances" else { return nil }
            let instance = segments[3]
            let call: InstanceCall
            switch (Array(segments.dropFirst(4)), method) {
            case ([], "DELETE"): call = .delete
            case (["subscription"], "POST"): call = .subscribe
            case (["subscription"], "GET"): call = .subscription
            case (["subscription"], "DELETE"): call = .unsubscribe
            case (["assignments"], "POST"): call = .assign
            case (["assignments"], "GET"): call = .assignments
            case (["positions"], "POST"): call = .seek
            case (["positions", "beginning"], "POST"): call = .seekToBeginning
            case (["positions", "end"], "POST"): call = .seekToEnd
            case (["records"], "GET"): call = .records
            case (["offsets"], "POST"): call = .commit
            case (["offsets"], "GET"): call = .committed
            case ([], _): throw methodNotAllowed("DELETE")
            case (["subscription"], _), (["offsets"], _): throw methodNotAllowed("GET,POST,DELETE")
            case (["assignments"], _): throw methodNotAllowed("GET,POST")
            case (["positions"], _), (["positions", "beginning"], _), (["positions", "end"], _): throw methodNotAllowed("POST")
            case (["records"], _): throw methodNotAllowed("GET")
            default: return nil
            }
            return .instance(group: group, instance: instance, call)
        default:
            return nil
        }
    }

    /// For the fuzzer: the proxy route a request would run, its body decoded and checked as far as
    /// that goes without Kafka; nil for a path that is not the proxy's.
    package static func probe(_ request: APIGatewayRequest) throws(HTTPProblem) -> String? {
        guard request.method != "OPTIONS", let route = try match(request) else { return nil }
        switch route {
        case let .produce(topic, partition):
            _ = try RestProxyProduceV2.decode(
                topic: try checked(topic, RestProxySettings()), partition: partition, contentType: request.headers["content-type"], body: request.body)
        case .createInstance, .instance:
            try RestProxyMediaType.checkBodyType(request.headers["content-type"], body: request.body)
            _ = try RestProxyBody.object(request.body)
        default:
            break
        }
        return route.actionName
    }

    /// Whether the path is one of the proxy's, whatever the method (a CORS preflight's question).
    static func isRoute(_ segments: [String]) -> Bool {
        var probe = APIGatewayRequest(method: "GET", pathSegments: segments, query: [:], headers: [:], body: [])
        for method in ["GET", "POST", "DELETE"] {
            probe.method = method
            if (try? match(probe)) != nil { return true }
        }
        return false
    }

    static func handle(
        _ route: Route, request: APIGatewayRequest, clients: any KafkaAccess, limits: CallerLimits, proxy: RestProxyConsumers,
        invocation: FunctionInvocation
    ) throws -> APIGatewayResponse {
        let settings = proxy.settings
        let deadline = invocation.deadline
        let answerType = try RestProxyMediaType.answerType(accept: route.readsRecords ? nil : request.headers["accept"])
        func json(_ value: JSONValue) -> APIGatewayResponse {
            var response = APIGatewayResponse.json(200, JSONWriter.serialize(value))
            response.contentType = answerType
            return response
        }
        let noContent = APIGatewayResponse(status: 204, body: [])
        invocation.metrics.action = route.actionName
        switch route {
        case .listTopics:
            return json(.array(try clients.admin().listTopics(deadline: deadline).map(\.name)
                .filter { $0 != settings.stateTopic }.map(JSONValue.string)))
        case let .topic(topic):
            return json(try RestProxyMetadata.topic(try checked(topic, settings), clients: clients, deadline: deadline))
        case let .partitions(topic):
            return json(try RestProxyMetadata.partitions(try checked(topic, settings), clients: clients, deadline: deadline))
        case let .partition(topic, partition):
            return json(try RestProxyMetadata.partition(try checked(topic, settings), partition, clients: clients, deadline: deadline))
        case let .partitionOffsets(topic, partition):
            return json(try RestProxyMetadata.offsets(try checked(topic, settings), partition, clients: clients, deadline: deadline))
        case .brokers:
            return json(try RestProxyMetadata.brokers(clients: clients, deadline: deadline))
        case let .produce(topic, partition):
            invocation.metrics.topic = topic
            let decoded = try RestProxyProduceV2.decode(
                topic: try checked(topic, settings), partition: partition, contentType: request.headers["content-type"], body: request.body)
            var response = try RestProxyProduceV2.handle(
                decoded, clients: clients, invocation: invocation)
            response.contentType = answerType
            return response
        case let .createInstance(group):
            try limits.checkAPIGroup(group)
            try RestProxyMediaType.checkBodyType(request.headers["content-type"], body: request.body)
            let call = try makeCall(request, clients: clients, proxy: proxy, invocation: invocation)
            return json(try ConsumerInstanceRoutes.create(group: group, call))
        case let .instance(group, instance, operation):
            try limits.checkAPIGroup(group)
            if operation != .records && operation != .committed {
                try RestProxyMediaType.checkBodyType(request.headers["content-type"], body: request.body)
            }
            let call = try makeCall(request, clients: clients, proxy: proxy, invocation: invocation)
            switch operation {
            case .delete: try ConsumerInstanceRoutes.delete(group: group, instance: instance, call)
            case .subscribe: try ConsumerInstanceRoutes.subscribe(group: group, instance: instance, call)
            case .subscription: return json(try ConsumerInstanceRoutes.subscription(group: group, instance: instance, call))
            case .unsubscribe: try ConsumerInstanceRoutes.unsubscribe(group: group, instance: instance, call)
            case .assign: try ConsumerInstanceRoutes.assign(group: group, instance: instance, call)
            case .assignments: return json(try ConsumerInstanceRoutes.assignments(group: group, instance: instance, call))
            case .seek: try ConsumerInstanceRoutes.seek(group: group, instance: instance, call)
            case .seekToBeginning: try ConsumerInstanceRoutes.seekToEdge(group: group, instance: instance, end: false, call)
            case .seekToEnd: try ConsumerInstanceRoutes.seekToEdge(group: group, instance: instance, end: true, call)
            case .records: return try ConsumerInstanceRead.read(group: group, instance: instance, call)
            case .commit: return json(try ConsumerInstanceRoutes.commit(group: group, instance: instance, call))
            case .committed: return json(try ConsumerInstanceRoutes.committed(group: group, instance: instance, call))
            }
            return noContent
        }
    }

    private static func makeCall(
        _ request: APIGatewayRequest, clients: any KafkaAccess, proxy: RestProxyConsumers, invocation: FunctionInvocation
    ) throws -> RestProxyCall {
        RestProxyCall(request: request, clients: clients, store: try proxy.store(logger: invocation.logger), invocation: invocation)
    }

    /// A topic path parameter: a valid name, and never the consumer state topic.
    static func checked(_ topic: String, _ settings: RestProxySettings) throws(HTTPProblem) -> String {
        do {
            _ = try TopicName.validate(topic, field: "topic")
        } catch {
            throw HTTPProblem(400, error.errorMessage.replacingFieldWording("path parameter"))
        }
        guard topic != settings.stateTopic else { throw RestProxyProblem.stateTopicRefused }
        return topic
    }

    private static func partitionNumber(_ segment: String) throws(HTTPProblem) -> Int32 {
        guard let partition = Int32(segment), partition >= 0 else {
            throw HTTPProblem(404, "HTTP 404 Not Found")
        }
        return partition
    }

    private static func methodNotAllowed(_ allowed: String) -> HTTPProblem {
        HTTPProblem(405, "HTTP 405 Method Not Allowed: use \(allowed)", headers: [("Allow", "\(allowed),OPTIONS")])
    }
}

extension RestProxyRouter.Route {
    var readsRecords: Bool {
        if case .instance(_, _, .records) = self { return true }
        return false
    }

    var actionName: String {
        switch self {
        case .listTopics: "list_topics"
        case .topic: "describe_topic"
        case .produce: "produce"
        case .partitions, .partition: "describe_partitions"
        case .partitionOffsets: "partition_offsets"
        case .brokers: "list_brokers"
        case .createInstance: "create_consumer"
        case let .instance(_, _, call): "consumer_\(call.rawValue)"
        }
    }
}

extension RestProxyRouter {
    /// The answer to a REST proxy route (errors included, in the proxy's shape and content type);
    /// nil when the request is for one of the function's own routes or a CORS preflight.
    static func respond(
        to request: APIGatewayRequest, clients: any KafkaAccess, limits: CallerLimits, proxy: RestProxyConsumers,
        invocation: FunctionInvocation
    ) -> APIGatewayResponse? {
        let settings = proxy.settings
        guard request.method != "OPTIONS" else { return nil }
        let started = ContinuousClock.now
        do {
            let segments = request.pathSegments
            // The function's own routes under /topics/{t} must not reach the state topic either.
            if segments.first == "topics", segments.count > 1, segments[1] == settings.stateTopic {
                throw RestProxyProblem.stateTopicRefused
            }
            guard let route = try match(request) else { return nil }
            defer { invocation.metrics.kafkaLatency = ContinuousClock.now - started }
            return try handle(
                route, request: request, clients: clients, limits: limits, proxy: proxy, invocation: invocation)
        } catch {
            var response = APIGatewayResponse.problem(problem(for: error).forAPICaller { invocation.logger.error("\($0)") })
            response.contentType = RestProxyMediaType.v2JSON
            return response
        }
    }

    /// How a failure reads to a REST proxy client: the proxy's codes for missing topics and
    /// partitions, 500 with 50002 (50003 when retriable) for Kafka's errors.
    static func problem(for error: any Error) -> HTTPProblem {
        switch error {
        case let problem as HTTPProblem:
            return problem
        case let error as KafkaError where error.isUnknownTopic:
            return RestProxyProblem.topicNotFound
        case let error as KafkaError where error.isUnknownPartition:
            return RestProxyProblem.partitionNotFound
        case let error as KafkaError:
            return HTTPProblem(500, "Kafka error: \(error.name): \(error.message)", errorCode: error.isRetriable ? 50003 : 50002)
        case let error as FunctionError:
            let problem = APIGatewayRouter.problem(for: error)
            return problem.status >= 500 ? HTTPProblem(500, problem.message, errorCode: 50002) : problem
        default:
            return HTTPProblem(500, "Internal error: \(error)")
        }
    }
}
