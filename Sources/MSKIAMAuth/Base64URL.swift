import Encoding

/// RFC 4648 section 5 (URL- and file-name-safe alphabet), as MSK tokens use it.
public typealias Base64URL = Encoding.Base64URL
