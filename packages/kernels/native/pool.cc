// Design: parts are claimed, not assigned. A job publishes (job id, part count, next
// part) in one atomic word; the caller and every woken worker claim the next part with
// a compare-and-swap until none is left, and the caller returns once all parts are done.
// A worker the OS has not scheduled yet (a busy, shared machine) therefore costs
// nothing: the caller does its parts. Results do not depend on who ran a part — parts
// never share an output element (gemm.cc). After a job a worker spins ~50 µs in case
// the next matmul of the same forward pass follows, then sleeps on the condition
// variable: an idle process uses no CPU.
#include "pool.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#define CHAINLM_PAUSE() _mm_pause()
#else
#define CHAINLM_PAUSE() std::this_thread::yield()
#endif

namespace chainlm {
namespace {

constexpr auto kSpin = std::chrono::microseconds(50);

struct Pool {
  std::mutex dispatch;  // one job at a time
  std::mutex state;
  std::condition_variable wake, done;
  std::atomic<uint32_t> generation{0};  // the latest job's id; workers wake on a change
  std::atomic<uint64_t> claim{0};       // job id << 32 | part count << 16 | next part
  std::atomic<int> completed{0};
  PoolTask task = nullptr;
  void* context = nullptr;
  uint32_t lastJob = 0;
  int workers = 0;  // threads started (the caller is not one)

  void start(int count) {
    for (int index = workers; index < count; index++) std::thread([this] { loop(); }).detach();
    workers = count;
  }

  bool claimPart(uint32_t job, int* part, int* parts) {
    uint64_t current = claim.load(std::memory_order_acquire);
    for (;;) {
      if (static_cast<uint32_t>(current >> 32) != job) return false;
      const int next = static_cast<int>(current & 0xffff), total = static_cast<int>((current >> 16) & 0xffff);
      if (next >= total) return false;
      if (claim.compare_exchange_weak(current, current + 1, std::memory_order_acq_rel)) {
        *part = next;
        *parts = total;
        return true;
      }
    }
  }

  // Runs parts of `job` until none is left. Reading task/context after a successful
  // claim is safe: the job cannot finish (and be replaced) before this part completes.
  void work(uint32_t job) {
    int part = 0, parts = 0;
    while (claimPart(job, &part, &parts)) {
      task(context, part, parts);
      if (completed.fetch_add(1, std::memory_order_acq_rel) + 1 == parts) {
        std::lock_guard<std::mutex> lock(state);
        done.notify_all();
      }
    }
  }

  void loop() {
    uint32_t seen = 0;
    for (;;) {
      seen = waitForJob(seen);
      work(seen);
    }
  }

  uint32_t waitForJob(uint32_t seen) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int spins = 0;; spins++) {
      const uint32_t now = generation.load(std::memory_order_acquire);
      if (now != seen) return now;
      CHAINLM_PAUSE();
      if ((spins & 63) == 63 && std::chrono::steady_clock::now() > until) break;
    }
    std::unique_lock<std::mutex> lock(state);
    wake.wait(lock, [&] { return generation.load(std::memory_order_acquire) != seen; });
    return generation.load(std::memory_order_acquire);
  }

  void run(PoolTask job, void* jobContext, int parts) {
    const uint32_t id = ++lastJob == 0 ? ++lastJob : lastJob;
    task = job;
    context = jobContext;
    completed.store(0, std::memory_order_relaxed);
    claim.store(static_cast<uint64_t>(id) << 32 | static_cast<uint64_t>(parts) << 16, std::memory_order_release);
    {
      std::lock_guard<std::mutex> lock(state);
      generation.store(id, std::memory_order_release);
    }
    wake.notify_all();
    work(id);
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int spins = 0; completed.load(std::memory_order_acquire) != parts; spins++) {
      CHAINLM_PAUSE();
      if ((spins & 63) == 63 && std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lock(state);
        done.wait(lock, [&] { return completed.load(std::memory_order_acquire) == parts; });
        break;
      }
    }
  }
};

// Never destroyed: detached workers may still be parked in it when the process exits.
Pool& pool() {
  static Pool* instance = new Pool();
  return *instance;
}

std::mutex sizing;

}  // namespace

int availableCpus() {
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return count;
  }
#endif
  const unsigned count = std::thread::hardware_concurrency();
  return count > 0 ? static_cast<int>(count) : 1;
}

void poolEnsure(int threads) {
  std::lock_guard<std::mutex> lock(sizing);
  Pool& instance = pool();
  if (threads - 1 <= instance.workers) return;
  // Growing while a job runs would change `pending` under it: wait for the job.
  std::lock_guard<std::mutex> job(instance.dispatch);
  instance.start(threads - 1);
}

int poolThreads() {
  std::lock_guard<std::mutex> lock(sizing);
  return pool().workers + 1;
}

void poolRun(PoolTask task, void* context, int parts) {
  Pool& instance = pool();
  if (parts <= 1) {
    task(context, 0, 1);
    return;
  }
  std::unique_lock<std::mutex> job(instance.dispatch, std::try_to_lock);
  if (!job.owns_lock() || parts > instance.workers + 1 || parts > 0xffff) {
    // Busy with another thread's job: do every part here (same parts, same result).
    for (int part = 0; part < parts; part++) task(context, part, parts);
    return;
  }
  instance.run(task, context, parts);
}

}  // namespace chainlm
