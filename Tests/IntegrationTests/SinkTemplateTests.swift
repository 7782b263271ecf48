import Foundation
import TestSupport
import Testing

/// The sink function in `template.yaml` as CloudFormation receives it (`scripts/sam-transform`,
/// aws-sam-translator offline). Security finding (issue 22): the sink's role could use every
/// consumer group, its logs had no retention, and the database password was resolved into its environment.
@Suite(.offCooperativePool, .enabled(if: SAMTransform.isInstalled || ContinuousIntegration.isActive,
                "aws-sam-translator is not installed for python3 (pip install aws-sam-translator)"))
struct SinkTemplateTests {
    let resources: [String: Any]

    init() throws {
        let transformed = try SAMTransform.run(["scripts/sam-transform", "template.yaml"])
        try #require(transformed.status == 0, "scripts/sam-transform failed")
        let template = try #require(try JSONSerialization.jsonObject(with: transformed.output) as? [String: Any])
        resources = try #require(template["Resources"] as? [String: Any])
    }

    func properties(_ name: String) throws -> [String: Any] {
        let resource = try #require(resources[name] as? [String: Any], "no resource \(name)")
        return try #require(resource["Properties"] as? [String: Any])
    }

    static func text(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func thePasswordIsReadAtRunTimeNeverResolvedIntoTheEnvironment() throws {
        let function = try properties("SinkFunction")
        let environment = try Self.text(try #require(function["Environment"]))
        #expect(!environment.contains("resolve:secretsmanager"), "the secret is resolved into the environment: \(environment)")
        #expect(!environment.contains("SINK_POSTGRES_PASSWORD"))
        #expect(environment.contains("SINK_POSTGRES_SECRET_ARN"))
        let policies = try Self.text(try #require(try properties("SinkFunctionRole")["Policies"]))
        #expect(policies.contains("secretsmanager:GetSecretValue"))
        #expect(policies.contains(#"{"Ref":"SinkPasswordSecretArn"}"#), "GetSecretValue on that one secret: \(policies)")
    }

    @Test func theSinkRoleMayUseOnlyItsOwnConsumerGroup() throws {
        let role = try properties("SinkFunctionRole")
        let policies = try #require(role["Policies"] as? [[String: Any]])
        var groupResources: [String] = []
        for policy in policies {
            let document = try #require(policy["PolicyDocument"] as? [String: Any])
            for statement in document["Statement"] as? [[String: Any]] ?? [] {
                let actions = statement["Action"] as? [String] ?? [statement["Action"] as? String].compactMap { $0 }
                if actions.contains(where: { $0.hasSuffix("Group") }) {
                    groupResources.append(try Self.text(statement["Resource"] ?? ""))
                }
            }
        }
        try #require(!groupResources.isEmpty, "no group statement")
        let mapping = try properties("SinkFunctionSinkBatches")
        let config = mapping["AmazonManagedKafkaEventSourceConfig"] as? [String: Any]
        let group = try Self.text(try #require(config?["ConsumerGroupId"], "the mapping names no consumer group"))
        for resource in groupResources {
            #expect(!resource.contains("/*"), "the sink role may use every group: \(resource)")
            #expect(resource.contains(group), "the role's group is not the mapping's (\(group)): \(resource)")
        }
    }

    @Test func theSinkFunctionLogsToAGroupWithRetention() throws {
        let logging = try #require(try properties("SinkFunction")["LoggingConfig"] as? [String: Any])
        let group = try Self.text(try #require(logging["LogGroup"], "the sink logs to a group without retention"))
        #expect(group == #"{"Ref":"SinkFunctionLogGroup"}"#)
        let retention = try Self.text(try #require(try properties("SinkFunctionLogGroup")["RetentionInDays"]))
        #expect(retention == #"{"Ref":"LogRetentionDays"}"#)
    }
}

/// python3 with aws-sam-translator, run from the package root.
enum SAMTransform {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static var isInstalled: Bool {
        (try? run(["-c", "import samtranslator, yaml"]).status) == 0
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, output: Data) {
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3"] + arguments
        python.currentDirectoryURL = packageRoot
        let output = Pipe()
        python.standardOutput = output
        python.standardError = FileHandle.nullDevice
        python.standardInput = FileHandle.nullDevice
        try python.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        return (python.terminationStatus, data)
    }
}
