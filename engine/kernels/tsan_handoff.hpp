// PRIVATE (engine/ and io/ only). ThreadSanitizer and oneTBB: libtbb is not
// instrumented, so TSan cannot see that a task starts after its spawner got there,
// nor that the spawner's wait returns after the task ended, and it would report
// every value handed to or from a task as a race (scripts/tsan.sh). A TaskHandoff
// around one parallel region draws those two edges: spawn() by the spawner before
// it starts the region, enter() and leave() by each task, joined() by the spawner
// when the region is over. Tasks never acquire each other's releases, so a race
// between two tasks is still seen. The clocks hang on two addresses shared by all
// regions: a task reaches its region only through a copy of its closure that
// oneTBB made, which is itself part of the hand-off (a joiner thus also acquires
// the ends of other threads' regions, which may hide a race across regions).
// Without TSan it is nothing.
#pragma once

#if defined(__SANITIZE_THREAD__)
#define AEG_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define AEG_TSAN 1
#endif
#endif

#ifdef AEG_TSAN
extern "C" void __tsan_acquire(void* addr);
extern "C" void __tsan_release(void* addr);
#endif

namespace aeg::detail {

class TaskHandoff {
 public:
#ifdef AEG_TSAN
  static void spawn() { __tsan_release(&to_tasks_); }
  static void enter() { __tsan_acquire(&to_tasks_); }
  static void leave() { __tsan_release(&to_spawner_); }
  static void joined() { __tsan_acquire(&to_spawner_); }

 private:
  static inline char to_tasks_ = 0, to_spawner_ = 0;  // two addresses for TSan to hang its clocks on
#else
  static void spawn() {}
  static void enter() {}
  static void leave() {}
  static void joined() {}
#endif
};

}  // namespace aeg::detail
