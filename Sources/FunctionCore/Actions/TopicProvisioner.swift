import JSON
import Kafka
import KafkaAdminClient

/// Makes sure a topic exists before records are sent to it.
package enum TopicProvisioner {
    package enum Outcome {
        case existed
        /// Created by our CreateTopics request.
        case created
        /// The broker has no CreateTopics (librdkafka's mock cluster, some proxies): the topic
        /// is left to the broker's own auto-creation when the records arrive.
        case leftToBrokerAutoCreation
    }

    package static func ensure(_ request: ProduceRequest, clients: any KafkaAccess, deadline: ContinuousClock.Instant) throws(FunctionError) -> Outcome {
        if clients.isKnownTopic(request.topic) { return .existed }
        let admin = try clients.admin()
        // One Metadata request answers both "does it exist" and "can CreateTopics reach a controller".
        let lookup: TopicLookup
        do {
            lookup = try admin.lookUpTopic(request.topic, deadline: deadline)
        } catch {
            throw .kafka(error, while: "looking up topic '\(request.topic)'")
        }
        if lookup.topic != nil {
            clients.rememberTopic(request.topic)
            return .existed
        }
        guard request.createTopic else {
            throw FunctionError(.topicNotFound, "Topic '\(request.topic)' does not exist and 'create_topic' is false (or \(CallerLimits.createTopicsVariable) is false)")
        }
        guard lookup.controllerIsABroker else {
            return .leftToBrokerAutoCreation
        }
        do {
            let outcome = try admin.createTopic(
                request.topic, partitions: request.numPartitions,
                replicationFactor: request.replicationFactor, deadline: deadline)
            clients.rememberTopic(request.topic)
            // "Already exists" is success: a concurrent invocation created it first.
            return outcome == .created ? .created : .existed
        } catch where error.isUnsupportedFeature {
            return .leftToBrokerAutoCreation
        } catch {
            throw .kafka(error, while: "creating topic '\(request.topic)'")
        }
    }
}
