/* The transport floor for scripts/bench: a trivial Lambda runtime in C (libcurl, one keep-alive
 * connection) that receives each event whole and answers {"received":<bytes>} without looking
 * inside it. Run behind the same lambda-emulator as the bootstrap, it measures what moving an
 * event in and a small answer out costs on the path users take (curl -> emulator -> runtime).
 *
 *   c_runtime            (AWS_LAMBDA_RUNTIME_API from the environment, as Lambda sets it)
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct buffer {
    char *data;
    size_t size, capacity;
};

static size_t on_body(char *bytes, size_t size, size_t count, void *opaque) {
    struct buffer *body = opaque;
    size_t length = size * count;
    if (body->size + length > body->capacity) {
        size_t capacity = body->capacity ? body->capacity : 1 << 16;
        while (capacity < body->size + length) capacity *= 2;
        char *grown = realloc(body->data, capacity);
        if (!grown) return 0;
        body->data = grown;
        body->capacity = capacity;
    }
    memcpy(body->data + body->size, bytes, length);
    body->size += length;
    return length;
}

static size_t on_header(char *bytes, size_t size, size_t count, void *opaque) {
    char *request_id = opaque;
    size_t length = size * count;
    static const char name[] = "lambda-runtime-aws-request-id:";
    if (length > sizeof name - 1 && strncasecmp(bytes, name, sizeof name - 1) == 0) {
        size_t start = sizeof name - 1, end = length;
        while (start < end && bytes[start] == ' ') start++;
        while (end > start && (bytes[end - 1] == '\r' || bytes[end - 1] == '\n' || bytes[end - 1] == ' ')) end--;
        if (end - start < 128) {
            memcpy(request_id, bytes + start, end - start);
            request_id[end - start] = 0;
        }
    }
    return length;
}

int main(void) {
    const char *api = getenv("AWS_LAMBDA_RUNTIME_API");
    if (!api || !*api) {
        fprintf(stderr, "c_runtime: AWS_LAMBDA_RUNTIME_API is not set\n");
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) return 1;
    CURL *curl = curl_easy_init();
    if (!curl) return 1;
    char next_url[512], answer_url[768], request_id[128], answer[64];
    snprintf(next_url, sizeof next_url, "http://%s/2018-06-01/runtime/invocation/next", api);
    struct buffer body = {0};
    for (;;) {
        body.size = 0;
        request_id[0] = 0;
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, next_url);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
        curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(curl, CURLOPT_HEADERDATA, request_id);
        CURLcode code = curl_easy_perform(curl);
        if (code != CURLE_OK || !request_id[0]) {
            fprintf(stderr, "c_runtime: next: %s\n", code != CURLE_OK ? curl_easy_strerror(code) : "no request id");
            return 1;
        }
        snprintf(answer_url, sizeof answer_url, "http://%s/2018-06-01/runtime/invocation/%s/response", api, request_id);
        snprintf(answer, sizeof answer, "{\"received\":%zu}", body.size);
        curl_easy_reset(curl);
        curl_easy_setopt(curl, CURLOPT_URL, answer_url);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, answer);
        curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
        code = curl_easy_perform(curl);
        if (code != CURLE_OK) {
            fprintf(stderr, "c_runtime: response: %s\n", curl_easy_strerror(code));
            return 1;
        }
    }
}
