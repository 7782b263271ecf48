import Synchronization

/// Derived signing keys per secret, date, region and service.
///
/// The key changes once a day, so every signature after the first of the day skips four HMACs.
/// Thread-safe; holds a handful of entries and starts afresh when it grows past its bound.
public final class SigningKeyCache: Sendable {
    public static let shared = SigningKeyCache()

    private struct Scope: Hashable {
        var secretAccessKey: String
        var dateStamp: String
        var region: String
        var service: String
    }

    private let entries = Mutex<[Scope: [UInt8]]>([:])
    private let capacity: Int

    public init(capacity: Int = 16) {
        self.capacity = max(1, capacity)
    }

    func signingKey(secretAccessKey: String, dateStamp: String, region: String, service: String) -> [UInt8] {
        let scope = Scope(secretAccessKey: secretAccessKey, dateStamp: dateStamp, region: region, service: service)
        if let key = entries.withLock({ $0[scope] }) {
            return key
        }
        let key = SigningKeyCache.derive(scope)
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[scope] = key
        }
        return key
    }

    private static func derive(_ scope: Scope) -> [UInt8] {
        let secret = Array(("AWS4" + scope.secretAccessKey).utf8)
        let dateKey = hmac(secret, scope.dateStamp)
        let regionKey = hmac(dateKey, scope.region)
        let serviceKey = hmac(regionKey, scope.service)
        return hmac(serviceKey, "aws4_request")
    }

    private static func hmac(_ key: [UInt8], _ message: String) -> [UInt8] {
        SHA256Digest.hmac(key: key, message: Array(message.utf8))
    }
}
