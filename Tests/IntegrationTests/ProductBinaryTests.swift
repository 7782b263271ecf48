import Foundation
import TestSupport
import Testing

/// The shipped `bootstrap` carries no test hooks: they live in `diagnostic-bootstrap` only.
@Suite(.offCooperativePool) struct ProductBinaryTests {
    /// What `strings` would show of the hooks: the action names, the type and the old switch.
    static let hookMarkers = ["diagnostic.", "DiagnosticActions", "LAMBDA_KAFKA_DIAGNOSTICS"]

    static func contents(of product: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: BuiltProducts.path(of: product)))
    }

    @Test func bootstrapContainsNoDiagnosticHooks() throws {
        let binary = try Self.contents(of: "bootstrap")
        for marker in Self.hookMarkers {
            #expect(binary.range(of: Data(marker.utf8)) == nil, "bootstrap contains \(marker)")
        }
    }

    /// The search above can find the hooks: the diagnostic binary built from the same sources has them.
    @Test func diagnosticBootstrapContainsTheHooks() throws {
        let binary = try Self.contents(of: "diagnostic-bootstrap")
        #expect(binary.range(of: Data("diagnostic.context".utf8)) != nil)
        #expect(binary.range(of: Data("DiagnosticActions".utf8)) != nil)
    }
}
