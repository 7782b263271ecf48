#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Encoding

/// A UTC instant in whole seconds since the Unix epoch, in the forms SigV4 needs.
public struct AWSTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var epochSeconds: Int64

    public init(epochSeconds: Int64) {
        self.epochSeconds = epochSeconds
    }

    public static func < (lhs: AWSTimestamp, rhs: AWSTimestamp) -> Bool {
        lhs.epochSeconds < rhs.epochSeconds
    }

    public func adding(seconds: Int64) -> AWSTimestamp {
        AWSTimestamp(epochSeconds: epochSeconds + seconds)
    }

    /// `20261121T120000Z`, the `X-Amz-Date` form.
    public var amzDate: String {
        let parts = CivilTime(epochSeconds: epochSeconds)
        return digits(parts.year, 4) + digits(parts.month, 2) + digits(parts.day, 2) + "T"
            + digits(parts.hour, 2) + digits(parts.minute, 2) + digits(parts.second, 2) + "Z"
    }

    /// `20261121`, the date of the credential scope.
    public var dateStamp: String {
        let parts = CivilTime(epochSeconds: epochSeconds)
        return digits(parts.year, 4) + digits(parts.month, 2) + digits(parts.day, 2)
    }

    /// `2026-11-21T12:00:00Z`.
    public var iso8601: String {
        ISO8601.format(epochMilliseconds: epochSeconds * 1000, milliseconds: false)
    }

    public var description: String { iso8601 }

    /// Parses the UTC forms AWS services send: `2026-11-21T12:00:00Z`, with optional fractional
    /// seconds (dropped) and `Z`, `+00:00` or any other numeric offset.
    public init?(iso8601 text: String) {
        var scanner = DigitScanner(Array(text.utf8))
        guard let year = scanner.number(4), scanner.skip("-"), let month = scanner.number(2), scanner.skip("-"),
              let day = scanner.number(2), scanner.skip("T") || scanner.skip("t") || scanner.skip(" "),
              let hour = scanner.number(2), scanner.skip(":"), let minute = scanner.number(2), scanner.skip(":"),
              let second = scanner.number(2)
        else { return nil }
        if scanner.skip(".") {
            guard scanner.skipDigits() else { return nil }
        }
        var offsetSeconds: Int64 = 0
        if scanner.skip("Z") || scanner.skip("z") {
            // UTC
        } else if let sign = scanner.sign(), let offsetHours = scanner.number(2), scanner.skip(":"),
                  let offsetMinutes = scanner.number(2) {
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return nil
        }
        guard scanner.atEnd, (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = CivilTime.daysFromCivil(year: year, month: month, day: day)
        self.epochSeconds = days * 86_400 + hour * 3600 + minute * 60 + second - offsetSeconds
    }
}

/// Where the signing time comes from; tests inject a fixed or hand-moved clock.
public protocol AWSClock: Sendable {
    func now() -> AWSTimestamp
}

/// The real wall clock.
public struct SystemClock: AWSClock {
    public init() {}

    public func now() -> AWSTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return AWSTimestamp(epochSeconds: Int64(spec.tv_sec))
    }
}

/// A clock stopped at one instant: for reproducible signatures.
public struct FixedClock: AWSClock {
    public let instant: AWSTimestamp

    public init(_ instant: AWSTimestamp) {
        self.instant = instant
    }

    public func now() -> AWSTimestamp { instant }
}

private func digits(_ value: Int64, _ width: Int) -> String {
    let text = String(value)
    return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days-from-civil algorithms).

private struct DigitScanner {
    let bytes: [UInt8]
    var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index == bytes.count }

    mutating func number(_ count: Int) -> Int64? {
        guard index + count <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + count] {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        index += count
        return value
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    mutating func skipDigits() -> Bool {
        let start = index
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            index += 1
        }
        return index > start
    }

    mutating func sign() -> Int64? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
