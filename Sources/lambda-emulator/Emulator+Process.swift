import Foundation
import LambdaEmulatorCore
import NIOCore

extension Emulator {
    /// Starts the bootstrap unless it runs. Called at start-up and when an invocation needs it (lazily, as
    /// Lambda re-initialises), never in a loop on exits, so a failing bootstrap cannot spin.
    func startBootstrapIfNeeded() {
        loop.preconditionInEventLoop()
        guard process == nil, !isShuttingDown else { return }
        do {
            let loop = self.loop
            let started = try BootstrapProcess(
                arguments: configuration.bootstrapArguments, environment: configuration.environment
            ) { [self] pid, status in
                loop.execute { self.bootstrapExited(pid: pid, status: status) }
            }
            process = started
            incarnation = Incarnation()
            starts += 1
            log("started bootstrap \(configuration.bootstrapArguments[0]) (pid \(started.pid))")
        } catch {
            log("cannot start \(configuration.bootstrapArguments[0]): \(error)")
            while let invocation = pending.popFirst() {
                failQueued(invocation, with: EmulatorErrors.invalidEntrypoint(
                    requestID: invocation.requestID, reason: "\(error)"))
            }
        }
    }

    private func bootstrapExited(pid: pid_t, status: ExitStatus) {
        guard let current = process, current.pid == pid else { return }
        process = nil
        let ended = incarnation
        incarnation = Incarnation()
        log("bootstrap (pid \(pid)) exited: \(status)")
        for waiter in waitingRuntimes {
            waiter.promise.succeed(.error(.gone, EmulatorErrors.shuttingDown))
        }
        waitingRuntimes = []
        releaseExtensions()
        if !inFlight.isEmpty {
            for invocation in inFlightOldestFirst {
                finishInFlight(
                    invocation.requestID,
                    body: ByteBuffer(string: EmulatorErrors.exitError(
                        requestID: invocation.requestID, exitDescription: status.description).json),
                    functionError: true)
            }
        } else if !ended.killedByEmulator, !ended.reportedInitError, !isShuttingDown,
                  let invocation = pending.popFirst() {
            // It died during init: the invocation that waited for it fails, as on Lambda.
            failQueued(invocation, with: EmulatorErrors.exitError(
                requestID: invocation.requestID, exitDescription: status.description))
        }
        if isShuttingDown {
            markStopped()
        } else if !pending.isEmpty {
            startBootstrapIfNeeded()
        }
    }

    /// Answers everything still open, stops the bootstrap (SIGTERM, SIGKILL after a grace) and completes `stopped`.
    func shutdown(reason: String) {
        loop.preconditionInEventLoop()
        guard !isShuttingDown else { return }
        isShuttingDown = true
        log("\(reason): shutting down")
        process?.send(SIGTERM)
        let refusal = EmulatorResponse.error(.serviceUnavailable, EmulatorErrors.shuttingDown)
        for invocation in inFlightOldestFirst {
            invocation.answer(refusal)
        }
        inFlight = [:]
        while let invocation = pending.popFirst() {
            invocation.answer(refusal)
        }
        guard let process else {
            for waiter in waitingRuntimes {
                waiter.promise.succeed(refusal)
            }
            waitingRuntimes = []
            markStopped()
            return
        }
        // A waiting `next` is answered when the bootstrap has exited, so it does not see a refusal first.
        loop.scheduleTask(in: Self.stopGrace) { [self] in
            if let current = self.process, current.pid == process.pid {
                log("bootstrap (pid \(process.pid)) ignored SIGTERM; sending SIGKILL")
                current.send(SIGKILL)
            }
        }
    }
}
