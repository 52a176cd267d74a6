// Debian 12's CivetWeb gives every worker thread a fixed 100 KiB stack (pthread_attr_setstacksize
// with 0x19000, compiled in). That is little for a request that renders a page or folds a long
// attendance history, and under AddressSanitizer, whose frames are several times larger, a
// register read overflowed it and killed the server. This definition in the executable takes
// precedence over libc's for CivetWeb's call (symbol interposition) and raises the size to a
// floor; stacks are committed page by page as they are used, so resident memory is unchanged.
#include <dlfcn.h>
#include <pthread.h>

#include <cstddef>

namespace {
#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t kMinThreadStack = std::size_t{8} << 20;
#else
constexpr std::size_t kMinThreadStack = std::size_t{1} << 20;
#endif
using SetStackSize = int (*)(pthread_attr_t*, std::size_t);
}  // namespace

extern "C" int pthread_attr_setstacksize(pthread_attr_t* attr, std::size_t size) noexcept {
  static const auto real =
      reinterpret_cast<SetStackSize>(dlsym(RTLD_NEXT, "pthread_attr_setstacksize"));
  return real(attr, size < kMinThreadStack ? kMinThreadStack : size);
}
