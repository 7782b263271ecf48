/// `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`), parsed.
///
/// In the config file a profile's section is `[profile name]` (`[default]` for the default one); in the
/// credentials file it is `[name]`. For one profile, values in the credentials file win.
struct SharedConfigFiles: Sendable {
    var credentialsFile: [String: [String: String]]
    var configFile: [String: [String: String]]
    var credentialsPath: String
    var configPath: String
    /// Problems other than a missing file, for the error message.
    var problems: [String]

    static func load(environment: [String: String]) -> SharedConfigFiles {
        let home = environment.nonEmpty("HOME") ?? ""
        let credentialsPath = expandHome(environment.nonEmpty("AWS_SHARED_CREDENTIALS_FILE") ?? "~/.aws/credentials", home: home)
        let configPath = expandHome(environment.nonEmpty("AWS_CONFIG_FILE") ?? "~/.aws/config", home: home)
        var problems: [String] = []
        func sections(_ path: String) -> [String: [String: String]] {
            do {
                return INIFile.parse(try readSmallFile(path))
            } catch {
                if !error.isMissing { problems.append(error.description) }
                return [:]
            }
        }
        let credentials = sections(credentialsPath)
        var config: [String: [String: String]] = [:]
        for (section, values) in sections(configPath) {
            guard let name = profileName(configSection: section) else { continue }
            // "[profile default]" and "[default]" both name the default profile; the former wins, as in botocore.
            if config[name] == nil || section.hasPrefix("profile") { config[name] = values }
        }
        return SharedConfigFiles(
            credentialsFile: credentials, configFile: config, credentialsPath: credentialsPath, configPath: configPath,
            problems: problems)
    }

    /// A profile's settings from both files, the credentials file winning; `nil` if in neither.
    func profile(_ name: String) -> [String: String]? {
        let fromConfig = configFile[name]
        let fromCredentials = credentialsFile[name]
        if fromConfig == nil && fromCredentials == nil { return nil }
        return (fromConfig ?? [:]).merging(fromCredentials ?? [:]) { _, credentials in credentials }
    }

    private static func profileName(configSection section: String) -> String? {
        // botocore: exactly "default", or "profile" followed by one whitespace-separated name.
        if section == "default" { return "default" }
        guard section.hasPrefix("profile") else { return nil }
        let parts = section.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard parts.count == 2, parts[0] == "profile" else { return nil }
        return String(parts[1])
    }

    private static func expandHome(_ path: String, home: String) -> String {
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst() }
        return path
    }
}

/// The INI dialect of the AWS config files: `[section]`, `key = value` (or `key: value`), full-line
/// comments with `#` or `;`, keys case-insensitive, indented lines continue a value (sub-settings such
/// as `s3 =` blocks; they are kept only as text).
enum INIFile {
    static func parse(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current: String?
        var lastKey: String?
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingSpaces()
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            if let first = line.first, first == " " || first == "\t" {
                if let current, let lastKey {
                    sections[current]?[lastKey, default: ""] += "\n" + trimmed
                }
                continue
            }
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else { current = nil; continue }
                // Like Python's configparser, the name is taken as written between the brackets.
                let name = String(trimmed.dropFirst().dropLast())
                current = name
                lastKey = nil
                if sections[name] == nil { sections[name] = [:] }
                continue
            }
            guard let current, let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else { continue }
            let key = trimmed[..<separator].trimmingSpaces().lowercased()
            let value = trimmed[trimmed.index(after: separator)...].trimmingSpaces()
            guard !key.isEmpty else { continue }
            sections[current]?[key] = value
            lastKey = key
        }
        return sections
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
