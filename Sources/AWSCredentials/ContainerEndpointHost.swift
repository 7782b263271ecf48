#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which hosts may serve container credentials over plain HTTP, as botocore decides: a loopback
/// IP literal (127.0.0.0/8, ::1), the ECS and EKS Pod Identity link-local addresses, or `localhost`.
/// A name that merely starts with `127.` (127.attacker.example.com) is a DNS name, not loopback.
enum ContainerEndpointHost {
    /// `host` as in a URL's authority without the port: `127.0.0.1`, `[::1]`, `localhost`.
    static func allowsPlainHTTP(_ host: String) -> Bool {
        if host == "localhost" { return true }
        if host.hasPrefix("[") && host.hasSuffix("]") {
            guard let address = ipv6Bytes(String(host.dropFirst().dropLast())) else { return false }
            return address == loopbackIPv6 || address == eksPodIdentityIPv6
        }
        guard let address = ipv4Bytes(host) else { return false }
        return address[0] == 127 || address == [169, 254, 170, 2] || address == [169, 254, 170, 23]
    }

    private static let loopbackIPv6: [UInt8] = Array(repeating: 0, count: 15) + [1]
    /// fd00:ec2::23
    private static let eksPodIdentityIPv6: [UInt8] = [0xfd, 0x00, 0x0e, 0xc2] + Array(repeating: 0, count: 11) + [0x23]

    /// The four bytes of a dotted-quad literal (inet_pton: exactly four decimal parts), else nil.
    private static func ipv4Bytes(_ text: String) -> [UInt8]? {
        var address = in_addr()
        guard inet_pton(AF_INET, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }

    private static func ipv6Bytes(_ text: String) -> [UInt8]? {
        var address = in6_addr()
        guard inet_pton(AF_INET6, text, &address) == 1 else { return nil }
        return withUnsafeBytes(of: address) { Array($0) }
    }
}
