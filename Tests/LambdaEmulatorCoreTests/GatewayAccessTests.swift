import LambdaEmulatorCore
import Testing

@Suite struct GatewayAccessTests {
    let access = GatewayAccess(allowedOrigins: ["https://App.example.com/"], port: 8090)

    @Test(arguments: ["127.0.0.1:8090", "127.0.0.1", "localhost:8090", "LOCALHOST", "dev.localhost:1", "[::1]:8090", "127.1.2.3:80"])
    func loopbackHostsAreAnswered(host: String) {
        #expect(GatewayAccess.isLoopbackHost(host))
        #expect(access.refusal(host: host, origin: nil) == nil)
    }

    @Test(arguments: ["rebind.attacker.example", "rebind.attacker.example:8090", "10.0.0.1:8090", "127.0.0.1.nip.io",
                      "localhost.attacker.example", "127.0.0.1:80:80", "127.0.0.1:x", "[::1", "[::2]:80", "", "127.0.0.256",
                      ".localhost", "127.0.0.1:"])
    func otherHostsAreRefused(host: String) {
        #expect(!GatewayAccess.isLoopbackHost(host))
        #expect(access.refusal(host: host, origin: nil) != nil)
    }

    @Test func aMissingHostIsRefused() {
        #expect(access.refusal(host: nil, origin: nil) != nil)
    }

    @Test(arguments: [nil, "http://127.0.0.1:8090", "http://localhost:8090", "https://app.example.com", "HTTPS://APP.EXAMPLE.COM"])
    func ownAndAllowedOriginsPass(origin: String?) {
        #expect(access.refusal(host: "127.0.0.1:8090", origin: origin) == nil)
    }

    @Test(arguments: ["null", "https://evil.example", "http://127.0.0.1:9999", "https://127.0.0.1:8090", "http://app.example.com"])
    func otherOriginsAreRefused(origin: String) {
        #expect(access.refusal(host: "127.0.0.1:8090", origin: origin) != nil)
    }

    @Test func originOptionsAreOriginsOnly() {
        #expect(GatewayAccess.isValidOriginOption("https://app.example.com"))
        #expect(GatewayAccess.isValidOriginOption("http://localhost:3000/"))
        for bad in ["*", "null", "app.example.com", "https://app.example.com/path", "https://*.example.com", "ftp://x", "https://"] {
            #expect(!GatewayAccess.isValidOriginOption(bad), "\(bad)")
        }
    }
}
