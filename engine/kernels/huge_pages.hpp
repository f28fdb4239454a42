// An allocator for the executor's large, long-lived buffers (the planned
// arena, the ops' aux state): 2 MiB aligned and, on Linux, advised onto
// transparent huge pages. W3's 17 MiB arena spans 4,300 pages of 4 KiB, more
// than the second-level TLB holds, and every step walks all of it.
// Internal to the engine.
#pragma once
#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace aeg::detail {

inline constexpr std::size_t kHugePage = std::size_t{2} << 20;

template <class T>
struct HugePageAllocator {
  using value_type = T;
  explicit HugePageAllocator(bool huge = true) : huge(huge) {}
  template <class U>
  HugePageAllocator(const HugePageAllocator<U>& o) : huge(o.huge) {}
  bool huge;  // false: plain new/delete (ExecOptions::huge_pages)

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (!uses_huge(bytes)) return std::allocator<T>().allocate(n);
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    madvise(p, rounded, MADV_HUGEPAGE);  // advice only: 4 KiB pages if the kernel says no
#endif
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (!uses_huge(n * sizeof(T)))
      std::allocator<T>().deallocate(p, n);
    else
      std::free(p);
  }
  bool uses_huge(std::size_t bytes) const { return huge && bytes >= kHugePage; }
  template <class U>
  bool operator==(const HugePageAllocator<U>& o) const { return huge == o.huge; }
  template <class U>
  bool operator!=(const HugePageAllocator<U>& o) const { return huge != o.huge; }
};

}  // namespace aeg::detail
