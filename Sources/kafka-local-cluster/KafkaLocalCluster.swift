import ArgumentParser
import Foundation

/// librdkafka's in-process mock Kafka cluster on loopback, for local runs and tests.
///
/// Prints the bootstrap servers as the first line of stdout, then answers fault-injection
/// commands on stdin (see `ControlCommand`) until stdin closes or SIGTERM/SIGINT arrives.
@main
struct KafkaLocalCluster: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kafka-local-cluster",
        abstract: "Run librdkafka's mock Kafka cluster on loopback until stdin closes or a signal arrives.",
        discussion: """
            stdin commands (one per line, each answered with `ok` or `error: ...`):
              broker-down <id> | broker-up <id> | rtt <broker-id> <ms>
              leader <topic> <partition> <broker-id> | create-topic <name> <partitions> <replication>
              request-errors <api-key> <error-code|ERROR_NAME>... | clear-errors
            Topics the clients produce to are created on first use with the mock's fixed 4 partitions;
            use --topic or create-topic for another partition count.
            """)

    @Option(help: "Number of brokers.")
    var brokers: Int32 = 3

    @Option(help: "Partitions of the topics named with --topic.")
    var partitions: Int32 = 3

    @Option(name: .customLong("topic"), help: "A topic to create at start-up (repeatable).")
    var topics: [String] = []

    func validate() throws {
        guard brokers >= 1 else { throw ValidationError("--brokers must be at least 1") }
        guard partitions >= 1 else { throw ValidationError("--partitions must be at least 1") }
    }

    func run() throws {
        // Before any thread exists, so every thread (librdkafka's too) inherits the mask and
        // only the signal waiter below receives these signals.
        let stopSignals = SignalSet.blocking([SIGTERM, SIGINT])
        let cluster = try MockCluster(brokers: brokers)
        for topic in topics {
            try cluster.createTopic(topic, partitions: partitions, replicationFactor: min(brokers, 3))
        }
        writeLine(cluster.bootstrapServers)

        let wakeup = try WakeupPipe.make()
        stopSignals.waitInBackground { _ in wakeup.wake() }
        var input = LineReader(fileDescriptor: STDIN_FILENO)
        while let line = input.nextLine(orStopWhenReadable: wakeup.readEnd) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { continue }
            do {
                try ControlCommand(parsing: trimmed).apply(to: cluster)
                writeLine("ok")
            } catch {
                writeLine("error: \(error)")
            }
        }
        // `cluster` is destroyed when it goes out of scope here.
    }
}

func writeLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
