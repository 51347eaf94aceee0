"""OpenBLAS SGEMM through numpy, for the kernels benchmark (bench/gemm.mjs).
A server so the benchmark can interleave it with the native kernels trial by trial
(both see the same machine load): each stdin line is JSON {"m","n","k","seconds"};
each reply line is JSON {"gflops"} for one timed trial of at least `seconds`.
Threads come from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set by the caller."""
import json
import os
import sys
import time

import numpy as np

rng = np.random.default_rng(1)
cache = {}
print(json.dumps({"numpy": np.__version__, "blas": os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")}), flush=True)
for line in sys.stdin:
    request = json.loads(line)
    m, n, k = request["m"], request["n"], request["k"]
    if (m, n, k) not in cache:
        cache.clear()
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        np.matmul(a, b, out=c)
        cache[(m, n, k)] = (a, b, c)
    a, b, c = cache[(m, n, k)]
    reps, start = 0, time.perf_counter()
    while True:
        np.matmul(a, b, out=c)
        reps += 1
        elapsed = time.perf_counter() - start
        if elapsed >= request["seconds"]:
            break
    result = 2.0 * m * n * k * reps / elapsed / 1e9
    # Let OpenMP's worker threads finish spinning and sleep before the next native trial
    # (measured: they cost the native kernels ~40% at 2 threads when it ran right after).
    time.sleep(0.1)
    print(json.dumps({"gflops": result}), flush=True)
