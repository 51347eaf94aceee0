// Design: workers wait on a generation counter. A job bumps the generation and wakes
// them; each worker runs its fixed part (part = worker index + 1), so the partition
// depends only on the part count — never on timing. After a job a worker spins for a
// short while (~50 µs) in case the next matmul of the same forward pass follows, then
// sleeps on the condition variable: an idle process uses no CPU.
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
  std::atomic<uint64_t> generation{0};
  std::atomic<int> pending{0};
  PoolTask task = nullptr;
  void* context = nullptr;
  int parts = 0;
  int workers = 0;  // threads started (the caller is not one)

  void start(int count) {
    for (int index = workers; index < count; index++) std::thread([this, index] { loop(index); }).detach();
    workers = count;
  }

  void loop(int index) {
    uint64_t seen = 0;
    for (;;) {
      seen = waitForJob(seen);
      const int part = index + 1;
      if (part < parts) task(context, part, parts);
      if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> lock(state);
        done.notify_all();
      }
    }
  }

  uint64_t waitForJob(uint64_t seen) {
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int spins = 0;; spins++) {
      const uint64_t now = generation.load(std::memory_order_acquire);
      if (now != seen) return now;
      CHAINLM_PAUSE();
      if ((spins & 63) == 63 && std::chrono::steady_clock::now() > until) break;
    }
    std::unique_lock<std::mutex> lock(state);
    wake.wait(lock, [&] { return generation.load(std::memory_order_acquire) != seen; });
    return generation.load(std::memory_order_acquire);
  }

  void run(PoolTask job, void* jobContext, int jobParts) {
    {
      std::lock_guard<std::mutex> lock(state);
      task = job;
      context = jobContext;
      parts = jobParts;
      pending.store(workers, std::memory_order_release);
      generation.fetch_add(1, std::memory_order_acq_rel);
    }
    wake.notify_all();
    job(jobContext, 0, jobParts);
    const auto until = std::chrono::steady_clock::now() + kSpin;
    for (int spins = 0; pending.load(std::memory_order_acquire) != 0; spins++) {
      CHAINLM_PAUSE();
      if ((spins & 63) == 63 && std::chrono::steady_clock::now() > until) {
        std::unique_lock<std::mutex> lock(state);
        done.wait(lock, [&] { return pending.load(std::memory_order_acquire) == 0; });
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
  if (!job.owns_lock() || parts > instance.workers + 1) {
    // Busy with another thread's job: do every part here (same parts, same result).
    for (int part = 0; part < parts; part++) task(context, part, parts);
    return;
  }
  instance.run(task, context, parts);
}

}  // namespace chainlm
