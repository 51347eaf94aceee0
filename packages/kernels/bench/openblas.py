"""OpenBLAS SGEMM GFLOP/s through numpy, for the kernels benchmark (bench/gemm.mjs).
stdin: JSON {"shapes": [[m, n, k], ...], "seconds": s}; stdout: JSON list of GFLOP/s.
Threads come from OMP_NUM_THREADS / OPENBLAS_NUM_THREADS set by the caller."""
import json
import sys
import time

import numpy as np

request = json.load(sys.stdin)
rng = np.random.default_rng(1)
results = []
for m, n, k in request["shapes"]:
    a = rng.standard_normal((m, k), dtype=np.float32)
    b = rng.standard_normal((k, n), dtype=np.float32)
    c = np.empty((m, n), dtype=np.float32)
    np.matmul(a, b, out=c)
    best = 0.0
    for _trial in range(request.get("trials", 5)):
        reps, start = 0, time.perf_counter()
        while True:
            np.matmul(a, b, out=c)
            reps += 1
            elapsed = time.perf_counter() - start
            if elapsed >= request["seconds"] and reps >= 1:
                break
        best = max(best, 2.0 * m * n * k * reps / elapsed / 1e9)
    results.append(best)
blas = "unknown"
try:
    import os
    blas = os.path.realpath("/etc/alternatives/libblas.so.3-x86_64-linux-gnu")
except Exception:
    pass
json.dump({"gflops": results, "numpy": np.__version__, "blas": blas}, sys.stdout)
