import Foundation
import LambdaEmulatorCore
import Testing

@Suite struct FaultPlanTests {
    @Test func decodesTheAdminRequestBody() throws {
        let json = Data(#"{"next_delay_ms":250,"response_status":500,"count":2}"#.utf8)
        let request = try JSONDecoder().decode(FaultPlan.Request.self, from: json)
        #expect(request == FaultPlan.Request(nextDelayMs: 250, responseStatus: 500, count: 2))
    }

    @Test func armsEachFaultForCountRequestsThenDisarms() throws {
        var plan = FaultPlan()
        try plan.apply(.init(nextDelayMs: 250, responseStatus: 500, count: 2))
        #expect(plan.takeNextDelay() == 250)
        #expect(plan.takeResponseStatus() == 500)
        #expect(plan.takeNextDelay() == 250)
        #expect(plan.takeNextDelay() == nil)
        #expect(plan.takeResponseStatus() == 500)
        #expect(plan.takeResponseStatus() == nil)
    }

    @Test func countDefaultsToOneAndOtherFaultsStayUnchanged() throws {
        var plan = FaultPlan()
        try plan.apply(.init(responseStatus: 503, count: 3))
        try plan.apply(.init(nextDelayMs: 10))
        #expect(plan.snapshot.responseStatusRemaining == 3)
        #expect(plan.takeNextDelay() == 10)
        #expect(plan.takeNextDelay() == nil)
    }

    @Test(arguments: [
        FaultPlan.Request(),
        FaultPlan.Request(responseStatus: 99),
        FaultPlan.Request(responseStatus: 600),
        FaultPlan.Request(nextDelayMs: -1),
        FaultPlan.Request(responseStatus: 500, count: 0),
    ])
    func rejectsInvalidRequestsWithoutChangingThePlan(_ request: FaultPlan.Request) throws {
        var plan = FaultPlan()
        try plan.apply(.init(responseStatus: 500))
        #expect(throws: FaultPlan.InvalidRequest.self) { try plan.apply(request) }
        #expect(plan.snapshot.responseStatus == 500)
        #expect(plan.snapshot.responseStatusRemaining == 1)
    }
}
