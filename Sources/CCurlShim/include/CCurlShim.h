#ifndef CCURLSHIM_H
#define CCURLSHIM_H

#include <curl/curl.h>

/* curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
   These wrappers give each argument type its own non-variadic entry point. */

typedef size_t (*cshim_curl_data_callback)(char *data, size_t size, size_t count, void *userdata);

CURLcode cshim_curl_setopt_long(CURL *handle, CURLoption option, long value);
CURLcode cshim_curl_setopt_string(CURL *handle, CURLoption option, const char *value);
CURLcode cshim_curl_setopt_pointer(CURL *handle, CURLoption option, void *value);
CURLcode cshim_curl_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value);
CURLcode cshim_curl_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value);
CURLcode cshim_curl_setopt_callback(CURL *handle, CURLoption option, cshim_curl_data_callback value);

CURLcode cshim_curl_getinfo_long(CURL *handle, CURLINFO info, long *value);

#endif
