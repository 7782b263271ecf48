import Foundation
import Testing
import TestSupport

@Suite(.offCooperativePool) struct LocalClusterTests {
    @Test func answersCommandsAndExitsWhenStdinCloses() throws {
        let cluster = try LocalKafkaCluster(brokers: 2)
        #expect(cluster.bootstrapServers.split(separator: ",").count == 2)
        try cluster.command("create-topic t 2 2")
        try cluster.command("leader t 1 2")
        try cluster.command("request-errors 0 NOT_LEADER_FOR_PARTITION 6")
        try cluster.command("clear-errors")
        #expect(throws: ChildProcessError.self) { try cluster.command("broker-down 9") }
        #expect(throws: ChildProcessError.self) { try cluster.command("explode") }
        #expect(throws: ChildProcessError.self) { try cluster.command("rtt 1 soon") }
        cluster.process.closeStandardInput()
        #expect(try cluster.process.waitForExit() == 0)
    }

    @Test func exitsCleanlyOnSIGTERM() throws {
        let cluster = try LocalKafkaCluster(brokers: 1)
        kill(cluster.process.process.processIdentifier, SIGTERM)
        #expect(try cluster.process.waitForExit() == 0)
    }
}
