// GEMM driver. Design note (the facts are the usual Goto/BLIS ones, as in llamafile's
// tinyBLAS and ggml's CPU matmul: block for the cache, pack, split the output):
//
//   for jc in N by nc:                 B block (kc×nc) stays in L3
//     for pc in K by kc:               pack B[pc:, jc:] into nr-wide panels (kc×nr in L1)
//       for ic in M by mc:             pack A[ic:, pc:] into mr-row panels (mc×kc in L2)
//         for jr in nc by nr, ir in mc by mr: micro-kernel on one mr×nr tile of C
//
// Threads split the *output* into parts (batches, then column ranges of whole nr
// panels, then row ranges of whole mr panels) and each part runs the loops above on
// its own packing buffers. K is never split, so every C element is one FMA chain in p
// order whatever the thread count: results are bit-identical for 1, 2 or N threads
// and run to run. Small-M products skip packing B (decode: 1 row against a weight), and
// B stored transposed with small M uses dot products instead (packing would read all
// of B to use each value once).
#include "gemm.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "pool.h"

namespace chainlm {
namespace {

// At most this many rows skip packing B (reading B in place costs less than a copy).
constexpr int64_t kDirectBRows = 48;
// Below ~1 M multiply-adds per thread (~7 µs on one core) waking another thread costs
// more than it saves; on a busy shared machine 2 threads at 16×288·288 ran at half the
// speed of one (bench/gemm.mjs).
constexpr int64_t kMinWorkPerThread = 1 << 20;

struct Buffer {
  float* data = nullptr;
  size_t size = 0;
  float* get(size_t floats) {
    if (floats > size) {
      std::free(data);
      size = floats;
      data = static_cast<float*>(std::aligned_alloc(64, ((floats * sizeof(float) + 63) / 64) * 64));
    }
    return data;
  }
  ~Buffer() { std::free(data); }
};

struct Scratch {
  Buffer a, b, edge, tile, row;
};

thread_local Scratch scratch;

// Columns per row-stream block: 4 rows of C stay in L1 while B streams through.
constexpr int64_t kRowStreamColumns = 2048;
constexpr int64_t kRowStreamMaxColumns = 8192;

struct Plan {
  const GemmArgs* args;
  const Isa* isa;
  bool rowStream;   // one row against a projection (bCol == 1): stream B row by row (decode)
  bool directB;     // read full B panels in place (bCol == 1, small M)
  bool dotPath;     // B has k contiguous and M is small: dot products
  int64_t mSplit;   // parts per batch along M (each whole mr panels)
  int64_t nSplit;   // parts per batch along N (each whole nr panels)
  int64_t units;    // batch × mSplit × nSplit
};

// [begin, end) of part `index` of `count` over `total` items of size `grain`.
void splitRange(int64_t total, int64_t grain, int64_t count, int64_t index, int64_t* begin, int64_t* end) {
  const int64_t grains = (total + grain - 1) / grain;
  const int64_t from = grains * index / count, to = grains * (index + 1) / count;
  *begin = std::min(total, from * grain);
  *end = std::min(total, to * grain);
}

// ap[p * mr + i] = A(i0 + i, p0 + p), zero rows past m1.
void packA(const GemmArgs& g, const float* a, int64_t i0, int64_t rows, int64_t p0, int64_t kc, int mr, float* ap) {
  for (int64_t panel = 0; panel < rows; panel += mr) {
    const int64_t r = std::min<int64_t>(mr, rows - panel);
    float* out = ap + panel * kc;
    if (g.aCol == 1) {
      for (int64_t i = 0; i < r; i++) {
        const float* src = a + (i0 + panel + i) * g.aRow + p0;
        for (int64_t p = 0; p < kc; p++) out[p * mr + i] = src[p];
      }
    } else {
      for (int64_t p = 0; p < kc; p++) {
        const float* src = a + (i0 + panel) * g.aRow + (p0 + p) * g.aCol;
        for (int64_t i = 0; i < r; i++) out[p * mr + i] = src[i * g.aRow];
      }
    }
    for (int64_t i = r; i < mr; i++)
      for (int64_t p = 0; p < kc; p++) out[p * mr + i] = 0.0f;
  }
}

// bp[p * nr + j] = B(p0 + p, j0 + j) for one panel of up to nr columns, zero-padded.
void packBPanel(const GemmArgs& g, const float* b, int64_t p0, int64_t kc, int64_t j0, int64_t cols, int nr, float* bp) {
  if (g.bCol == 1) {
    for (int64_t p = 0; p < kc; p++) {
      const float* src = b + (p0 + p) * g.bRow + j0;
      float* out = bp + p * nr;
      std::memcpy(out, src, cols * sizeof(float));
      for (int64_t j = cols; j < nr; j++) out[j] = 0.0f;
    }
  } else {
    for (int64_t j = 0; j < cols; j++) {
      const float* src = b + p0 * g.bRow + (j0 + j) * g.bCol;
      for (int64_t p = 0; p < kc; p++) bp[p * nr + j] = src[p * g.bRow];
    }
    for (int64_t j = cols; j < nr; j++)
      for (int64_t p = 0; p < kc; p++) bp[p * nr + j] = 0.0f;
  }
}

// All panels of a kc×nc block. With B rows contiguous, walk each row across the panels
// (memory order) rather than each panel down the rows (a page per row when n is large).
void packB(const GemmArgs& g, const float* b, int64_t p0, int64_t kc, int64_t j0, int64_t nc, int nr, float* bp) {
  if (g.bCol != 1) {
    for (int64_t jr = 0; jr < nc; jr += nr) packBPanel(g, b, p0, kc, j0 + jr, std::min<int64_t>(nr, nc - jr), nr, bp + jr * kc);
    return;
  }
  for (int64_t p = 0; p < kc; p++) {
    const float* src = b + (p0 + p) * g.bRow + j0;
    for (int64_t jr = 0; jr < nc; jr += nr) {
      const int64_t cols = std::min<int64_t>(nr, nc - jr);
      float* out = bp + jr * kc + p * nr;
      std::memcpy(out, src + jr, cols * sizeof(float));
      for (int64_t j = cols; j < nr; j++) out[j] = 0.0f;
    }
  }
}

void epilogue(const GemmArgs& g, float* c, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  if (g.bias == nullptr && g.activation == Activation::linear) return;
  for (int64_t i = i0; i < i1; i++) {
    float* row = c + i * g.cRow;
    if (g.bias != nullptr)
      for (int64_t j = j0; j < j1; j++) row[j] += g.bias[j];
    if (g.activation == Activation::relu)
      for (int64_t j = j0; j < j1; j++) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
  }
}

void dotPart(const Plan& plan, const float* a, const float* b, float* c, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  const GemmArgs& g = *plan.args;
  float* row = scratch.row.get(g.k + 16);
  for (int64_t i = i0; i < i1; i++) {
    const float* ai = a + i * g.aRow;
    if (g.aCol != 1) {
      for (int64_t p = 0; p < g.k; p++) row[p] = ai[p * g.aCol];
      ai = row;
    }
    float* ci = c + i * g.cRow;
    for (int64_t j = j0; j < j1; j += 4) {
      const int columns = static_cast<int>(std::min<int64_t>(4, j1 - j));
      float out[4];
      plan.isa->dot(g.k, ai, b + j * g.bCol, g.bCol, columns, out);
      for (int q = 0; q < columns; q++) ci[j + q] = g.accumulate ? ci[j + q] + out[q] : out[q];
    }
  }
}

void blockedPart(const Plan& plan, const float* a, const float* b, float* c, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  const GemmArgs& g = *plan.args;
  const Isa& isa = *plan.isa;
  const int mr = isa.mr, nr = isa.nr;
  float* ap = scratch.a.get(static_cast<size_t>(isa.mc + mr) * isa.kc);
  float* bp = plan.directB ? nullptr : scratch.b.get(static_cast<size_t>(isa.nc + nr) * isa.kc);
  float* edge = scratch.edge.get(static_cast<size_t>(nr) * isa.kc);
  float* tile = scratch.tile.get(static_cast<size_t>(mr) * nr);
  for (int64_t jc = j0; jc < j1; jc += isa.nc) {
    const int64_t nc = std::min(isa.nc, j1 - jc);
    for (int64_t pc = 0; pc < g.k; pc += isa.kc) {
      const int64_t kc = std::min(isa.kc, g.k - pc);
      const bool load = g.accumulate || pc > 0;
      if (!plan.directB) packB(g, b, pc, kc, jc, nc, nr, bp);
      const int64_t fullPanels = plan.directB ? nc / nr * nr : nc;
      if (plan.directB && fullPanels < nc) packBPanel(g, b, pc, kc, jc + fullPanels, nc - fullPanels, nr, edge);
      for (int64_t ic = i0; ic < i1; ic += isa.mc) {
        const int64_t mc = std::min(isa.mc, i1 - ic);
        packA(g, a, ic, mc, pc, kc, mr, ap);
        for (int64_t jr = 0; jr < nc; jr += nr) {
          const int64_t cols = std::min<int64_t>(nr, nc - jr);
          const float* panel;
          int64_t ldb = nr;
          if (!plan.directB) panel = bp + jr * kc;
          else if (jr < fullPanels) panel = b + pc * g.bRow + jc + jr, ldb = g.bRow;
          else panel = edge;
          for (int64_t ir = 0; ir < mc; ir += mr) {
            const int rows = static_cast<int>(std::min<int64_t>(mr, mc - ir));
            float* cp = c + (ic + ir) * g.cRow + jc + jr;
            const float* apanel = ap + ir * kc;
            if (cols == nr) {
              isa.micro[rows](kc, apanel, panel, ldb, cp, g.cRow, load);
              continue;
            }
            // Partial tile: compute into a full-width scratch tile, copy the valid part.
            if (load)
              for (int i = 0; i < rows; i++) std::memcpy(tile + i * nr, cp + i * g.cRow, cols * sizeof(float));
            isa.micro[rows](kc, apanel, panel, ldb, tile, nr, load);
            for (int i = 0; i < rows; i++) std::memcpy(cp + i * g.cRow, tile + i * nr, cols * sizeof(float));
          }
        }
      }
    }
  }
}

void rowStreamPart(const Plan& plan, const float* a, const float* b, float* c, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  const GemmArgs& g = *plan.args;
  for (int64_t jb = j0; jb < j1; jb += kRowStreamColumns) {
    const int64_t cols = std::min(kRowStreamColumns, j1 - jb);
    for (int64_t i = i0; i < i1; i += kRowStreamRows) {
      const int rows = static_cast<int>(std::min<int64_t>(kRowStreamRows, i1 - i));
      plan.isa->row(g.k, a + i * g.aRow, g.aRow, g.aCol, rows, b + jb, g.bRow, cols, c + i * g.cRow + jb, g.cRow, g.accumulate);
    }
  }
}

void runUnit(const Plan& plan, int64_t unit) {
  const GemmArgs& g = *plan.args;
  const int64_t perBatch = plan.mSplit * plan.nSplit;
  const int64_t batch = unit / perBatch, rest = unit % perBatch;
  int64_t i0, i1, j0, j1;
  splitRange(g.m, plan.isa->mr, plan.mSplit, rest / plan.nSplit, &i0, &i1);
  splitRange(g.n, plan.dotPath ? 4 : plan.isa->nr, plan.nSplit, rest % plan.nSplit, &j0, &j1);
  if (i0 >= i1 || j0 >= j1) return;
  const float* a = g.a + batch * g.aBatch;
  const float* b = g.b + batch * g.bBatch;
  float* c = g.c + batch * g.cBatch;
  if (g.k == 0) {
    if (!g.accumulate)
      for (int64_t i = i0; i < i1; i++) std::memset(c + i * g.cRow + j0, 0, (j1 - j0) * sizeof(float));
  } else if (plan.rowStream) {
    rowStreamPart(plan, a, b, c, i0, i1, j0, j1);
  } else if (plan.dotPath) {
    dotPart(plan, a, b, c, i0, i1, j0, j1);
  } else {
    blockedPart(plan, a, b, c, i0, i1, j0, j1);
  }
  epilogue(g, c, i0, i1, j0, j1);
}

void runPart(void* context, int part, int parts) {
  const Plan& plan = *static_cast<const Plan*>(context);
  const int64_t from = plan.units * part / parts, to = plan.units * (part + 1) / parts;
  for (int64_t unit = from; unit < to; unit++) runUnit(plan, unit);
}

}  // namespace

void sgemm(const GemmArgs& g, const Isa& isa, int threads) {
  if (g.batch <= 0 || g.m <= 0 || g.n <= 0) return;
  Plan plan{&g, &isa, false, false, false, 1, 1, g.batch};
  // Measured (bench/gemm.mjs shapes, this repo's Zen 5): streaming rows wins for one row
  // against projection-sized B (s110 1×768·768×2048: ~3x), loses against the 32000-wide
  // classifier and from 4 rows on, where register-blocked micro-kernels reuse B better.
  plan.rowStream = g.bCol == 1 && g.m == 1 && g.n <= kRowStreamMaxColumns;
  plan.dotPath = !plan.rowStream && g.bRow == 1 && g.bCol != 1 && g.m <= 4;
  plan.directB = !plan.rowStream && !plan.dotPath && g.bCol == 1 && g.m <= kDirectBRows;
  const int64_t work = g.batch * g.m * g.n * std::max<int64_t>(g.k, 1);
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(threads, work / kMinWorkPerThread));
  if (g.batch < parts) {
    // Split each batch's output: columns first (each part then packs only its own B),
    // rows when there are too few column panels.
    const int64_t wanted = (parts + g.batch - 1) / g.batch;
    const int64_t nGrain = plan.dotPath ? 4 : isa.nr;
    const int64_t nPanels = (g.n + nGrain - 1) / nGrain, mPanels = (g.m + isa.mr - 1) / isa.mr;
    plan.nSplit = std::min(wanted, nPanels);
    plan.mSplit = std::min((wanted + plan.nSplit - 1) / plan.nSplit, mPanels);
    plan.units = g.batch * plan.mSplit * plan.nSplit;
  }
  poolRun(runPart, &plan, static_cast<int>(std::min<int64_t>(parts, plan.units)));
}

}  // namespace chainlm
