#pragma once

#include <curl/curl.h>

#include <memory>

#include "moor/common/status.h"

namespace moor::runtime {

// The libcurl functions moor uses, from a libcurl loaded with dlopen while some user holds a
// reference, and unloaded after the last one lets go. The daemon pulls images now and then, and
// libcurl's dependency tree (GnuTLS through librtmp and libldap, Kerberos, libssh2, nghttp2, ...)
// costs some 3 MB of resident memory for as long as it is mapped (bench/pod_start).
struct CurlApi {
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_reset)(CURL*);
  void (*easy_cleanup)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
};

// The loaded library (curl_global_init done), shared by every caller until the last reference
// is dropped (then curl_global_cleanup and dlclose). kFailedPrecondition if libcurl.so.4 (Debian's
// libcurl4) cannot be loaded. Thread-safe.
StatusOr<std::shared_ptr<const CurlApi>> AcquireCurl();

}  // namespace moor::runtime
