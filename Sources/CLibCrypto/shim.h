// SHA-256 from OpenSSL's libcrypto, which librdkafka and libcurl already load into the process.
// The SHA256_CTX functions work on caller-owned memory and cannot fail; OpenSSL 3 marks them
// deprecated in favour of EVP, whose contexts are allocated and can fail.
#define OPENSSL_SUPPRESS_DEPRECATED 1
#include <openssl/sha.h>
