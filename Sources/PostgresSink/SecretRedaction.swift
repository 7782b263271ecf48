/// Removes secrets from text that came from libpq before it goes into an error or a log line.
enum SecretRedaction {
    static let placeholder = "<redacted>"

    /// `text` with every occurrence of each secret replaced; empty secrets are ignored.
    static func redacting(_ secrets: [String], in text: String) -> String {
        var result = text
        for secret in secrets.sorted(by: { $0.utf8.count > $1.utf8.count }) where !secret.isEmpty {
            result = result.replacingEvery(secret, with: placeholder)
        }
        return result
    }

    /// libpq's reason for refusing a connection string, with every double-quoted part withheld: libpq
    /// quotes the component it failed on, which can be the password (`invalid percent-encoded token:
    /// "S3cr3t%zzPass"`).
    static func withoutQuotedParts(_ reason: String) -> String {
        var result = ""
        var quoted = false
        for character in reason {
            if character == "\"" {
                if !quoted { result += "\"\(placeholder)\"" }
                quoted.toggle()
            } else if !quoted {
                result.append(character)
            }
        }
        return result
    }
}

extension String {
    /// Every non-overlapping occurrence of `target` replaced, left to right (no Foundation).
    func replacingEvery(_ target: String, with replacement: String) -> String {
        let source = Array(utf8)
        let pattern = Array(target.utf8)
        guard !pattern.isEmpty, pattern.count <= source.count else { return self }
        var output: [UInt8] = []
        output.reserveCapacity(source.count)
        var index = 0
        while index < source.count {
            if index + pattern.count <= source.count, source[index] == pattern[0],
               source[index..<(index + pattern.count)].elementsEqual(pattern) {
                output += Array(replacement.utf8)
                index += pattern.count
            } else {
                output.append(source[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }
}
