import AWSSigV4
import Synchronization

/// Caches credentials that expire and fetches new ones a while before they do.
///
/// Callers that arrive during a refresh wait for it rather than starting their own. If a refresh fails
/// while the cached credentials are still valid, those are returned (the next call tries again).
public final class RefreshingCredentialProvider: CredentialProvider {
    private let fetch: @Sendable () throws -> SigningCredentials
    private let clock: any AWSClock
    private let refreshBeforeExpirySeconds: Int64
    private let cached = Mutex<SigningCredentials?>(nil)

    public init(
        clock: some AWSClock = SystemClock(), refreshBeforeExpirySeconds: Int64 = 300,
        fetch: @escaping @Sendable () throws -> SigningCredentials
    ) {
        self.fetch = fetch
        self.clock = clock
        self.refreshBeforeExpirySeconds = refreshBeforeExpirySeconds
    }

    public func credentials() throws -> SigningCredentials {
        try cached.withLock { cached in
            let now = clock.now()
            if let current = cached {
                guard let expiration = current.expiration else { return current }
                if expiration.epochSeconds - now.epochSeconds > refreshBeforeExpirySeconds { return current }
            }
            do {
                let fresh = try fetch()
                cached = fresh
                return fresh
            } catch {
                if let current = cached, let expiration = current.expiration, expiration > now { return current }
                throw error
            }
        }
    }
}
