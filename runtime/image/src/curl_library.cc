#include "curl_library.h"

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace moor::runtime {

namespace {

constexpr const char* kSoname = "libcurl.so.4";

std::mutex& Mutex() {
  static auto* mu = new std::mutex();
  return *mu;
}

std::weak_ptr<const CurlApi>& Current() {
  static auto* current = new std::weak_ptr<const CurlApi>();
  return *current;
}

// The loaded library and the functions taken from it.
struct Loaded : CurlApi {
  void* handle = nullptr;
  void (*global_cleanup)() = nullptr;
};

template <typename Fn>
bool Resolve(void* handle, const char* name, Fn& out) {
  out = reinterpret_cast<Fn>(::dlsym(handle, name));
  return out != nullptr;
}

}  // namespace

StatusOr<std::shared_ptr<const CurlApi>> AcquireCurl() {
  std::lock_guard<std::mutex> lock(Mutex());
  if (auto existing = Current().lock()) return existing;
  void* handle = ::dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = ::dlerror();
    return FailedPreconditionError(std::string("cannot load ") + kSoname + " (install Debian's libcurl4): " +
                                   (why != nullptr ? why : "unknown error"));
  }
  auto* api = new Loaded();
  api->handle = handle;
  CURLcode (*global_init)(long) = nullptr;
  bool ok = Resolve(handle, "curl_global_init", global_init) && Resolve(handle, "curl_global_cleanup", api->global_cleanup) &&
            Resolve(handle, "curl_easy_init", api->easy_init) && Resolve(handle, "curl_easy_setopt", api->easy_setopt) &&
            Resolve(handle, "curl_easy_perform", api->easy_perform) &&
            Resolve(handle, "curl_easy_getinfo", api->easy_getinfo) && Resolve(handle, "curl_easy_reset", api->easy_reset) &&
            Resolve(handle, "curl_easy_cleanup", api->easy_cleanup) &&
            Resolve(handle, "curl_easy_strerror", api->easy_strerror) &&
            Resolve(handle, "curl_slist_append", api->slist_append) &&
            Resolve(handle, "curl_slist_free_all", api->slist_free_all);
  if (!ok || global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
    delete api;
    ::dlclose(handle);
    return FailedPreconditionError(std::string(kSoname) + " lacks a function moor needs or failed to initialize");
  }
  std::shared_ptr<const CurlApi> shared(api, [](const CurlApi* p) {
    // Under the mutex: a concurrent AcquireCurl waits, then loads the library anew.
    std::lock_guard<std::mutex> unload_lock(Mutex());
    const auto* loaded = static_cast<const Loaded*>(p);
    loaded->global_cleanup();
    ::dlclose(loaded->handle);
    delete loaded;
  });
  Current() = shared;
  return shared;
}

}  // namespace moor::runtime
