// Single-precision GEMM: the contract between the driver (gemm.cc), the per-ISA
// micro-kernels (kernel-*.cc) and the Node binding (addon.cc).
#pragma once
#include <cstdint>

namespace chainlm {

enum class Activation : int { linear = 0, relu = 1 };

// C[b] (=|+=) A[b] · B[b] for b < batch, then C += bias (per column), then activation.
// Every operand is addressed by element strides, so one call covers all transpose
// combinations and batch broadcasting (batch stride 0):
//   A(b, i, p) = a[b * aBatch + i * aRow + p * aCol]      i < m, p < k
//   B(b, p, j) = b[b * bBatch + p * bRow + j * bCol]      p < k, j < n
//   C(b, i, j) = c[b * cBatch + i * cRow + j]             (C rows are contiguous)
struct GemmArgs {
  int64_t batch = 1, m = 0, n = 0, k = 0;
  const float* a = nullptr;
  int64_t aRow = 0, aCol = 0, aBatch = 0;
  const float* b = nullptr;
  int64_t bRow = 0, bCol = 0, bBatch = 0;
  float* c = nullptr;
  int64_t cRow = 0, cBatch = 0;
  const float* bias = nullptr;  // n floats or null
  Activation activation = Activation::linear;
  bool accumulate = false;  // C += A·B instead of C = A·B
};

// A micro-kernel computes one R×NR tile of C from packed A (R rows of an MR-row panel:
// a[p * MR + i]) and a B panel (b[p * ldb + j], j < NR), over kc steps of p. Each C
// element is one fused multiply-add chain in p order starting from 0 (or from C when
// `load`), so the value of an element does not depend on the tile it falls in: the
// result is the same for any thread partition.
using MicroKernel = void (*)(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, bool load);
// out[j] = Σ_p a[p] · b[j * ldb + p] for j < columns (≤ 4): the small-M path for B
// stored transposed (k contiguous), where packing B would cost more than the product.
using DotKernel = void (*)(int64_t k, const float* a, const float* b, int64_t ldb, int columns, float* out);

// C[i, 0:cols] (= or +=) Σ_p A(i, p) · B(p, 0:cols) for i < rows ≤ kRowStreamRows, with
// B rows contiguous (bCol = 1): B streams row by row, as memory lays it out. The
// few-row path (decode); per element it is the same FMA chain in p order as a
// micro-kernel, so the result does not depend on which path ran.
using RowKernel = void (*)(int64_t k, const float* a, int64_t aRow, int64_t aCol, int rows, const float* b, int64_t bRow, int64_t cols, float* c, int64_t cRow, bool load);
constexpr int kRowStreamRows = 4;

constexpr int kMaxMr = 16;

struct Isa {
  const char* name;
  int mr, nr;          // register tile
  int64_t kc, mc, nc;  // cache blocks: kc×nr B panel in L1, mc×kc A block in L2
  MicroKernel micro[kMaxMr + 1];  // micro[r] for r = 1..mr rows
  DotKernel dot;
  RowKernel row;
};

// Each returns null when the ISA was not compiled in (non-x86 builds).
const Isa* isaAvx512();
const Isa* isaAvx2();
const Isa* isaPortable();

// The best ISA this CPU runs, by __builtin_cpu_supports.
const Isa* detectIsa();
const Isa* isaByName(const char* name);

// Computes with up to `threads` threads of the process-wide pool (the caller is one).
void sgemm(const GemmArgs& args, const Isa& isa, int threads);

}  // namespace chainlm
