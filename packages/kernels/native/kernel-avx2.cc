// AVX2+FMA micro-kernels: a 6×16 tile of C in 12 ymm accumulators (the 16-register
// file holds 12 accumulators, 2 B vectors and 1 broadcast). Compiled for AVX2 by the
// target pragma; chosen at run time only on CPUs with AVX2 and FMA.
#include "gemm.h"

#if defined(__x86_64__) || defined(_M_X64)
#pragma GCC target("avx2,fma")
#include <immintrin.h>

namespace chainlm {
namespace {

constexpr int MR = 6;
constexpr int NR = 16;

template <int R>
void micro(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, bool load) {
  __m256 c0[R], c1[R];
#pragma GCC unroll 8
  for (int i = 0; i < R; i++) {
    if (load) {
      c0[i] = _mm256_loadu_ps(c + i * ldc);
      c1[i] = _mm256_loadu_ps(c + i * ldc + 8);
    } else {
      c0[i] = _mm256_setzero_ps();
      c1[i] = _mm256_setzero_ps();
    }
  }
  for (int64_t p = 0; p < kc; p++) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 8
    for (int i = 0; i < R; i++) {
      const __m256 av = _mm256_broadcast_ss(a + i);
      c0[i] = _mm256_fmadd_ps(av, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(av, b1, c1[i]);
    }
    a += MR;
    b += ldb;
  }
#pragma GCC unroll 8
  for (int i = 0; i < R; i++) {
    _mm256_storeu_ps(c + i * ldc, c0[i]);
    _mm256_storeu_ps(c + i * ldc + 8, c1[i]);
  }
}

float sum8(__m256 v) {
  // Fixed pairwise order: (lo + hi) then halves again.
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_shuffle_ps(x, x, 1));
  return _mm_cvtss_f32(x);
}

void dot(int64_t k, const float* a, const float* b, int64_t ldb, int columns, float* out) {
  const float* rows[4];
  for (int j = 0; j < 4; j++) rows[j] = b + (j < columns ? j : 0) * ldb;
  __m256 s0[4], s1[4];
  for (int j = 0; j < 4; j++) s0[j] = s1[j] = _mm256_setzero_ps();
  int64_t p = 0;
  for (; p + 16 <= k; p += 16) {
    const __m256 a0 = _mm256_loadu_ps(a + p), a1 = _mm256_loadu_ps(a + p + 8);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      s0[j] = _mm256_fmadd_ps(a0, _mm256_loadu_ps(rows[j] + p), s0[j]);
      s1[j] = _mm256_fmadd_ps(a1, _mm256_loadu_ps(rows[j] + p + 8), s1[j]);
    }
  }
  for (int j = 0; j < columns; j++) {
    float sum = sum8(_mm256_add_ps(s0[j], s1[j]));
    for (int64_t q = p; q < k; q++) sum += a[q] * rows[j][q];
    out[j] = sum;
  }
}

void row(int64_t k, const float* a, int64_t aRow, int64_t aCol, int rows, const float* b, int64_t bRow, int64_t cols, float* c, int64_t cRow, bool load) {
  if (!load)
    for (int i = 0; i < rows; i++)
      for (int64_t j = 0; j < cols; j++) c[i * cRow + j] = 0.0f;
  const int64_t full = cols / 8 * 8;
  for (int64_t p = 0; p < k; p++) {
    const float* bp = b + p * bRow;
    float as[kRowStreamRows];
    __m256 av[kRowStreamRows];
    for (int i = 0; i < rows; i++) as[i] = a[i * aRow + p * aCol], av[i] = _mm256_set1_ps(as[i]);
    for (int64_t j = 0; j < full; j += 8) {
      const __m256 bv = _mm256_loadu_ps(bp + j);
      for (int i = 0; i < rows; i++) {
        float* cj = c + i * cRow + j;
        _mm256_storeu_ps(cj, _mm256_fmadd_ps(av[i], bv, _mm256_loadu_ps(cj)));
      }
    }
    // Scalar FMA: correctly rounded like the vector one, so the tail matches it bit for bit.
    for (int i = 0; i < rows; i++)
      for (int64_t j = full; j < cols; j++) c[i * cRow + j] = __builtin_fmaf(as[i], bp[j], c[i * cRow + j]);
  }
}

const Isa table = {
    "avx2", MR, NR, 256, 120, 2048,
    {nullptr, micro<1>, micro<2>, micro<3>, micro<4>, micro<5>, micro<6>},
    dot,
    row,
};

}  // namespace

const Isa* isaAvx2() { return &table; }

}  // namespace chainlm
#else
namespace chainlm {
const Isa* isaAvx2() { return nullptr; }
}  // namespace chainlm
#endif
