// The process-wide thread pool. One per process, not per Node environment: every
// worker_thread that loads the addon shares the same static state, so N workers
// never start N×cores threads. Jobs run one at a time; a caller that finds the pool
// busy (another worker thread's GEMM) runs its parts itself, which gives the same
// result because parts never share an output element.
#pragma once
#include <cstdint>

namespace chainlm {

using PoolTask = void (*)(void* context, int part, int parts);

// Runs task(context, part, parts) for part = 0..parts-1 on the calling thread and the
// pool threads (whoever claims a part first runs it); returns when all are done.
void poolRun(PoolTask task, void* context, int parts);

// Threads the pool may use including the caller; grows the pool when larger.
void poolEnsure(int threads);
int poolThreads();

// Logical CPUs this process may run on (sched_getaffinity), at least 1.
int availableCpus();

}  // namespace chainlm
