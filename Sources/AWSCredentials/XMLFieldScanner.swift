/// Pulls the text of a few elements out of an AWS Query API response without an XML library.
///
/// Enough for STS: elements are unique by name within the part we read, have no attributes we need and
/// hold text only. Entities and numeric character references are decoded; CDATA is taken as is.
struct XMLFieldScanner {
    private let document: String

    init(_ document: String) {
        self.document = document
    }

    /// The decoded text of the first `<name>` element (optionally inside the first `<parent>`).
    func text(of name: String, inside parent: String? = nil) -> String? {
        var scope = Substring(document)
        if let parent {
            guard let inner = Self.content(of: parent, in: scope) else { return nil }
            scope = inner
        }
        return Self.content(of: name, in: scope).map { Self.decodeEntities($0) }
    }

    private static func content(of name: String, in text: Substring) -> Substring? {
        var searchStart = text.startIndex
        while let open = text[searchStart...].firstRange(of: "<" + name) {
            guard let tagEnd = text[open.upperBound...].firstIndex(of: ">") else { return nil }
            let following = text[open.upperBound]
            // Make sure "<Code" did not match "<CodeName".
            guard following == ">" || following == " " || following == "/" || following == "\t" || following == "\n" else {
                searchStart = open.upperBound
                continue
            }
            if text[text.index(before: tagEnd)] == "/" { return text[tagEnd..<tagEnd] }
            let bodyStart = text.index(after: tagEnd)
            guard let close = text[bodyStart...].firstRange(of: "</" + name + ">") else { return nil }
            return text[bodyStart..<close.lowerBound]
        }
        return nil
    }

    static func decodeEntities(_ text: Substring) -> String {
        if text.hasPrefix("<![CDATA["), text.hasSuffix("]]>") {
            return String(text.dropFirst(9).dropLast(3))
        }
        guard text.contains("&") else { return String(text) }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "&", let semicolon = text[index...].prefix(12).firstIndex(of: ";") else {
                output.append(character)
                index = text.index(after: index)
                continue
            }
            let entity = text[text.index(after: index)..<semicolon]
            if let replacement = decodeEntity(entity) {
                output.unicodeScalars.append(replacement)
            } else {
                output += text[index...semicolon]
            }
            index = text.index(after: semicolon)
        }
        return output
    }

    private static func decodeEntity(_ entity: Substring) -> Unicode.Scalar? {
        switch entity {
        case "amp": return "&"
        case "lt": return "<"
        case "gt": return ">"
        case "quot": return "\""
        case "apos": return "'"
        default:
            guard entity.hasPrefix("#") else { return nil }
            let digits = entity.dropFirst()
            let value = digits.hasPrefix("x") || digits.hasPrefix("X")
                ? UInt32(digits.dropFirst(), radix: 16) : UInt32(digits, radix: 10)
            return value.flatMap(Unicode.Scalar.init)
        }
    }
}
