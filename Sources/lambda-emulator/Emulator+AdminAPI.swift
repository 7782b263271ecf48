import Foundation
import LambdaEmulatorCore
import NIOCore

extension Emulator {
    /// `GET|POST|DELETE /_emulator/faults`
    func faults(_ method: EmulatorRoute.AdminMethod, _ request: EmulatorRequest) -> EmulatorResponse {
        switch method {
        case .get:
            break
        case .delete:
            faults = FaultPlan()
            log("faults cleared")
        case .post:
            do {
                let decoded = try JSONDecoder().decode(FaultPlan.Request.self, from: Data(request.body.readableBytesView))
                try faults.apply(decoded)
                log("faults armed: \(faults.snapshot)")
            } catch let error as FaultPlan.InvalidRequest {
                return .error(.badRequest, LambdaErrorBody(errorMessage: error.description, errorType: "InvalidFault"))
            } catch {
                return .error(.badRequest, LambdaErrorBody(
                    errorMessage: "expected JSON {\"next_delay_ms\":N, \"response_status\":S, \"count\":K}",
                    errorType: "InvalidFault"))
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let json = (try? encoder.encode(faults.snapshot)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return .json(.ok, json)
    }

    /// `GET /_emulator/status`
    func status() -> EmulatorResponse {
        let report = StatusReport(
            bootstrapPID: process?.pid, restarts: max(0, starts - 1), invocationsServed: invocationsServed,
            pendingInvocations: pending.count, inFlightRequestID: inFlightOldestFirst.first?.requestID, faults: faults.snapshot)
        return .json(.ok, report.json)
    }
}
