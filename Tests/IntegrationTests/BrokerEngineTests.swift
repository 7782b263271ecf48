import Foundation
import TestSupport
import Testing

/// The independent broker as the end-to-end suites start it: a port of its own, ready when it
/// accepts connections, gone (process, port and data) after SIGTERM.
@Suite(.offCooperativePool) struct BrokerEngineTests {
    @Test func theIndependentBrokerStartsReadyAndStopsOnSIGTERM() throws {
        let broker = try IndependentBroker()
        let port = try #require(broker.bootstrapServers.split(separator: ":").last.flatMap { UInt16($0) })
        #expect(broker.bootstrapServers.hasPrefix("127.0.0.1:"))
        #expect(LoopbackPort.accepts(port))
        #expect(FileManager.default.fileExists(atPath: broker.dataDirectory.path))

        // SIGTERM alone ends it (waitForExit throws if it is still running after 5 s): not the
        // SIGKILL `stop` falls back to, and no orphan left behind by a wrapper.
        broker.process.process.terminate()
        _ = try broker.process.waitForExit(timeout: 5)
        #expect(!LoopbackPort.accepts(port))
        broker.stop()
        #expect(!FileManager.default.fileExists(atPath: broker.dataDirectory.path))
    }

    @Test func twoIndependentBrokersGetTheirOwnPorts() throws {
        let first = try IndependentBroker()
        let second = try IndependentBroker()
        defer { first.stop(); second.stop() }
        #expect(first.bootstrapServers != second.bootstrapServers)
        #expect(first.dataDirectory != second.dataDirectory)
    }
}
