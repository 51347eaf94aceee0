// Portable micro-kernels in plain C++: what runs on a CPU without AVX2/FMA (or on a
// non-x86 build). The j loops are written so the compiler vectorizes them with the
// baseline ISA (SSE2 on x86-64, NEON on arm64); no reassociation is needed for that.
#include "gemm.h"

namespace chainlm {
namespace {

constexpr int MR = 4;
constexpr int NR = 16;

template <int R>
void micro(int64_t kc, const float* a, const float* b, int64_t ldb, float* c, int64_t ldc, bool load) {
  float acc[R][NR];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < NR; j++) acc[i][j] = load ? c[i * ldc + j] : 0.0f;
  for (int64_t p = 0; p < kc; p++) {
    for (int i = 0; i < R; i++) {
      const float av = a[i];
      for (int j = 0; j < NR; j++) acc[i][j] += av * b[j];
    }
    a += MR;
    b += ldb;
  }
  for (int i = 0; i < R; i++)
    for (int j = 0; j < NR; j++) c[i * ldc + j] = acc[i][j];
}

// Eight partial sums per column (p mod 8), added in a fixed order.
void dot(int64_t k, const float* a, const float* b, int64_t ldb, int columns, float* out) {
  for (int j = 0; j < columns; j++) {
    const float* row = b + j * ldb;
    float lanes[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t p = 0;
    for (; p + 8 <= k; p += 8)
      for (int l = 0; l < 8; l++) lanes[l] += a[p + l] * row[p + l];
    float sum = ((lanes[0] + lanes[4]) + (lanes[1] + lanes[5])) + ((lanes[2] + lanes[6]) + (lanes[3] + lanes[7]));
    for (; p < k; p++) sum += a[p] * row[p];
    out[j] = sum;
  }
}

// Same arithmetic as micro(): c += a·b as a multiply then an add (ISO C++ mode does not
// contract them), in p order.
void row(int64_t k, const float* a, int64_t aRow, int64_t aCol, int rows, const float* b, int64_t bRow, int64_t cols, float* c, int64_t cRow, bool load) {
  if (!load)
    for (int i = 0; i < rows; i++)
      for (int64_t j = 0; j < cols; j++) c[i * cRow + j] = 0.0f;
  for (int64_t p = 0; p < k; p++) {
    const float* bp = b + p * bRow;
    for (int i = 0; i < rows; i++) {
      const float av = a[i * aRow + p * aCol];
      float* ci = c + i * cRow;
      for (int64_t j = 0; j < cols; j++) ci[j] += av * bp[j];
    }
  }
}

const Isa table = {
    "portable", MR, NR, 256, 128, 2048,
    {nullptr, micro<1>, micro<2>, micro<3>, micro<4>},
    dot,
    row,
};

}  // namespace

const Isa* isaPortable() { return &table; }

}  // namespace chainlm
