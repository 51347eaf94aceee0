// AVX-512F micro-kernels: a 12×32 tile of C in 24 zmm accumulators (two vectors of 16
// columns per row), B's two vectors loaded once per p and A broadcast per row, so each
// p step is 24 FMAs for 2 loads + 12 broadcasts. Compiled for AVX-512 by the target
// pragma below (not by a global -mavx512f), so the rest of the addon still runs on
// any x86-64; gemm.cc picks this table only when the CPU has AVX-512F.
#include "gemm.h"

#if defined(__x86_64__) || defined(_M_X64)
#pragma GCC target("avx512f,avx512vl,avx512dq,avx2,fma")
#include <immintrin.h>

namespace chainlm {
namespace {

constexpr int MR = 12;
constexpr int NR = 32;

template <int R>
void micro(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, bool load) {
  __m512 c0[R], c1[R];
#pragma GCC unroll 16
  for (int i = 0; i < R; i++) {
    if (load) {
      c0[i] = _mm512_loadu_ps(c + i * ldc);
      c1[i] = _mm512_loadu_ps(c + i * ldc + 16);
    } else {
      c0[i] = _mm512_setzero_ps();
      c1[i] = _mm512_setzero_ps();
    }
  }
  for (int64_t p = 0; p < kc; p++) {
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < R; i++) {
      const __m512 av = _mm512_set1_ps(a[i]);
      c0[i] = _mm512_fmadd_ps(av, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(av, b1, c1[i]);
    }
    a += MR;
    b += ldb;
  }
#pragma GCC unroll 16
  for (int i = 0; i < R; i++) {
    _mm512_storeu_ps(c + i * ldc, c0[i]);
    _mm512_storeu_ps(c + i * ldc + 16, c1[i]);
  }
}

// Fixed pairwise order: 512 → 256 → 128 → scalar.
float sum16(__m512 v) {
  const __m256 y = _mm256_add_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
  __m128 x = _mm_add_ps(_mm256_castps256_ps128(y), _mm256_extractf128_ps(y, 1));
  x = _mm_add_ps(x, _mm_movehl_ps(x, x));
  x = _mm_add_ss(x, _mm_shuffle_ps(x, x, 1));
  return _mm_cvtss_f32(x);
}

// Four columns at once, two 16-lane accumulators each (8 independent FMA chains hide
// the FMA latency); lanes are summed in a fixed order, then the scalar tail.
void dot(int64_t k, const float* a, const float* b, int64_t ldb, int columns, float* out) {
  const float* rows[4];
  for (int j = 0; j < 4; j++) rows[j] = b + (j < columns ? j : 0) * ldb;
  __m512 s0[4], s1[4];
  for (int j = 0; j < 4; j++) s0[j] = s1[j] = _mm512_setzero_ps();
  int64_t p = 0;
  for (; p + 32 <= k; p += 32) {
    const __m512 a0 = _mm512_loadu_ps(a + p), a1 = _mm512_loadu_ps(a + p + 16);
#pragma GCC unroll 4
    for (int j = 0; j < 4; j++) {
      s0[j] = _mm512_fmadd_ps(a0, _mm512_loadu_ps(rows[j] + p), s0[j]);
      s1[j] = _mm512_fmadd_ps(a1, _mm512_loadu_ps(rows[j] + p + 16), s1[j]);
    }
  }
  if (p + 16 <= k) {
    const __m512 a0 = _mm512_loadu_ps(a + p);
    for (int j = 0; j < 4; j++) s0[j] = _mm512_fmadd_ps(a0, _mm512_loadu_ps(rows[j] + p), s0[j]);
    p += 16;
  }
  for (int j = 0; j < columns; j++) {
    float sum = sum16(_mm512_add_ps(s0[j], s1[j]));
    for (int64_t q = p; q < k; q++) sum += a[q] * rows[j][q];
    out[j] = sum;
  }
}

void row(int64_t k, const float* a, int64_t aRow, int64_t aCol, int rows, const float* b, int64_t bRow, int64_t cols, float* c, int64_t cRow, bool load) {
  if (!load)
    for (int i = 0; i < rows; i++)
      for (int64_t j = 0; j < cols; j++) c[i * cRow + j] = 0.0f;
  const int64_t full = cols / 16 * 16;
  const __mmask16 tail = static_cast<__mmask16>((1u << (cols - full)) - 1u);
  for (int64_t p = 0; p < k; p++) {
    const float* bp = b + p * bRow;
    __m512 av[kRowStreamRows];
    for (int i = 0; i < rows; i++) av[i] = _mm512_set1_ps(a[i * aRow + p * aCol]);
    for (int64_t j = 0; j < full; j += 16) {
      const __m512 bv = _mm512_loadu_ps(bp + j);
      for (int i = 0; i < rows; i++) {
        float* cj = c + i * cRow + j;
        _mm512_storeu_ps(cj, _mm512_fmadd_ps(av[i], bv, _mm512_loadu_ps(cj)));
      }
    }
    if (tail != 0) {
      const __m512 bv = _mm512_maskz_loadu_ps(tail, bp + full);
      for (int i = 0; i < rows; i++) {
        float* cj = c + i * cRow + full;
        _mm512_mask_storeu_ps(cj, tail, _mm512_fmadd_ps(av[i], bv, _mm512_maskz_loadu_ps(tail, cj)));
      }
    }
  }
}

const Isa table = {
    "avx512", MR, NR, 256, 144, 2048,
    {nullptr, micro<1>, micro<2>, micro<3>, micro<4>, micro<5>, micro<6>, micro<7>, micro<8>, micro<9>, micro<10>, micro<11>, micro<12>},
    dot,
    row,
};

}  // namespace

const Isa* isaAvx512() { return &table; }

}  // namespace chainlm
#else
namespace chainlm {
const Isa* isaAvx512() { return nullptr; }
}  // namespace chainlm
#endif
