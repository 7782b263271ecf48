import Encoding

/// Standard base64 (RFC 4648 section 4, with padding), for binary record keys and values.
typealias Base64 = Encoding.Base64
