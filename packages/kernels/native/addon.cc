// The Node-API surface: info(), configure(), sgemm(). Everything is checked here
// (types, bounds of every operand against its typed array) before a pointer reaches
// the kernels, so a wrong stride from JavaScript is a TypeError, not a corrupted heap.
#include <napi.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <string>

#include "gemm.h"
#include "pool.h"

namespace chainlm {

const Isa* detectIsa() {
#if defined(__x86_64__) || defined(_M_X64)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && isaAvx512() != nullptr) return isaAvx512();
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && isaAvx2() != nullptr) return isaAvx2();
#endif
  return isaPortable();
}

const Isa* isaByName(const char* name) {
  for (const Isa* isa : {isaAvx512(), isaAvx2(), isaPortable()})
    if (isa != nullptr && std::strcmp(isa->name, name) == 0) return isa;
  return nullptr;
}

namespace {

// Process-wide, like the pool: every worker thread sees one setting.
std::atomic<const Isa*> activeIsa{nullptr};
std::atomic<int> activeThreads{0};

// Sharing the cores between worker threads: each Node environment (main thread or
// worker) that loaded the addon gets a slot holding the time of its last GEMM. A call
// with the default thread count uses threads / (environments that ran a GEMM in the
// last 50 ms), so two training workers or two engine replicas each get one core instead
// of queueing for the pool (and oversubscribing the CPUs with spinning threads), while
// one busy environment gets them all. Results do not depend on it (see gemm.cc).
constexpr int kSlots = 64;
constexpr int64_t kRecentNs = 50'000'000;
std::atomic<int64_t> lastCallNs[kSlots];
std::atomic<int> nextSlot{0};

int64_t nowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int sharedThreads(int slot, int threads) {
  const int64_t now = nowNs();
  lastCallNs[slot].store(now, std::memory_order_relaxed);
  int active = 0;
  for (int index = 0; index < kSlots; index++) {
    const int64_t last = lastCallNs[index].load(std::memory_order_relaxed);
    if (last != 0 && now - last < kRecentNs) active++;
  }
  return std::max(1, threads / std::max(1, active));
}

const Isa* currentIsa() {
  const Isa* isa = activeIsa.load();
  if (isa == nullptr) {
    isa = detectIsa();
    activeIsa.store(isa);
  }
  return isa;
}

bool cpuRuns(const Isa* isa) {
  if (isa == isaPortable()) return true;
#if defined(__x86_64__) || defined(_M_X64)
  if (isa == isaAvx512()) return __builtin_cpu_supports("avx512f");
  if (isa == isaAvx2()) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return false;
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("isa", currentIsa()->name);
  result.Set("detected", detectIsa()->name);
  result.Set("threads", activeThreads.load());
  result.Set("poolThreads", poolThreads());
  result.Set("cpus", availableCpus());
  Napi::Array supported = Napi::Array::New(env);
  uint32_t index = 0;
  for (const Isa* isa : {isaAvx512(), isaAvx2(), isaPortable()})
    if (isa != nullptr && cpuRuns(isa)) supported.Set(index++, isa->name);
  result.Set("supported", supported);
  return result;
}

// configure(threads, isaName | null): threads ≥ 1 (the pool grows to it, never
// shrinks); an ISA the CPU cannot run is refused.
Napi::Value Configure(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "configure(threads, isa): threads must be a number");
  const int threads = info[0].As<Napi::Number>().Int32Value();
  if (threads < 1 || threads > 1024) throw Napi::RangeError::New(env, "configure: threads must be 1..1024");
  if (info.Length() > 1 && info[1].IsString()) {
    const std::string name = info[1].As<Napi::String>().Utf8Value();
    const Isa* isa = isaByName(name.c_str());
    if (isa == nullptr || !cpuRuns(isa)) throw Napi::RangeError::New(env, "configure: this CPU or build has no ISA '" + name + "'");
    activeIsa.store(isa);
  }
  poolEnsure(threads);
  activeThreads.store(threads);
  return Info(info);
}

int64_t Int(const Napi::CallbackInfo& info, size_t index) {
  if (!info[index].IsNumber()) throw Napi::TypeError::New(info.Env(), "sgemm: argument " + std::to_string(index) + " must be a number");
  return info[index].As<Napi::Number>().Int64Value();
}

Napi::Float32Array Floats(const Napi::CallbackInfo& info, size_t index) {
  if (!info[index].IsTypedArray() || info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), "sgemm: argument " + std::to_string(index) + " must be a Float32Array");
  return info[index].As<Napi::Float32Array>();
}

// The largest element index an operand touches must lie inside its array.
void CheckExtent(Napi::Env env, const char* name, size_t length, int64_t offset, std::initializer_list<std::pair<int64_t, int64_t>> dims) {
  if (offset < 0) throw Napi::RangeError::New(env, std::string("sgemm: ") + name + " offset is negative");
  int64_t last = offset;
  for (const auto& [count, stride] : dims) {
    if (stride < 0) throw Napi::RangeError::New(env, std::string("sgemm: ") + name + " has a negative stride");
    if (count > 0) last += (count - 1) * stride;
  }
  if (last >= static_cast<int64_t>(length))
    throw Napi::RangeError::New(env, std::string("sgemm: ") + name + " reaches element " + std::to_string(last) + " of a " + std::to_string(length) + "-element array");
}

// sgemm(a, aOffset, b, bOffset, c, cOffset, batch, m, n, k,
//       aRow, aCol, aBatch, bRow, bCol, bBatch, cRow, cBatch,
//       bias | null, biasOffset, activation (0 linear, 1 relu), accumulate (0/1), threads)
Napi::Value Sgemm(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 23) throw Napi::TypeError::New(env, "sgemm: expected 23 arguments");
  Napi::Float32Array a = Floats(info, 0), b = Floats(info, 2), c = Floats(info, 4);
  GemmArgs g;
  g.batch = Int(info, 6), g.m = Int(info, 7), g.n = Int(info, 8), g.k = Int(info, 9);
  g.aRow = Int(info, 10), g.aCol = Int(info, 11), g.aBatch = Int(info, 12);
  g.bRow = Int(info, 13), g.bCol = Int(info, 14), g.bBatch = Int(info, 15);
  g.cRow = Int(info, 16), g.cBatch = Int(info, 17);
  if (g.batch < 0 || g.m < 0 || g.n < 0 || g.k < 0) throw Napi::RangeError::New(env, "sgemm: negative dimension");
  if (g.batch == 0 || g.m == 0 || g.n == 0) return env.Undefined();
  const int64_t aOffset = Int(info, 1), bOffset = Int(info, 3), cOffset = Int(info, 5);
  if (g.k > 0) {
    CheckExtent(env, "a", a.ElementLength(), aOffset, {{g.batch, g.aBatch}, {g.m, g.aRow}, {g.k, g.aCol}});
    CheckExtent(env, "b", b.ElementLength(), bOffset, {{g.batch, g.bBatch}, {g.k, g.bRow}, {g.n, g.bCol}});
  }
  if (g.cRow < g.n) throw Napi::RangeError::New(env, "sgemm: cRow must be at least n (C rows may not overlap)");
  if (g.batch > 1 && g.cBatch < (g.m - 1) * g.cRow + g.n) throw Napi::RangeError::New(env, "sgemm: cBatch too small: C batches may not overlap");
  CheckExtent(env, "c", c.ElementLength(), cOffset, {{g.batch, g.cBatch}, {g.m, g.cRow}, {g.n, 1}});
  g.a = a.Data() + aOffset;
  g.b = b.Data() + bOffset;
  g.c = c.Data() + cOffset;
  if (!info[18].IsNull() && !info[18].IsUndefined()) {
    Napi::Float32Array bias = Floats(info, 18);
    const int64_t biasOffset = Int(info, 19);
    CheckExtent(env, "bias", bias.ElementLength(), biasOffset, {{g.n, 1}});
    g.bias = bias.Data() + biasOffset;
  }
  const int64_t activation = Int(info, 20);
  if (activation != 0 && activation != 1) throw Napi::RangeError::New(env, "sgemm: activation must be 0 (linear) or 1 (relu)");
  g.activation = static_cast<Activation>(activation);
  g.accumulate = Int(info, 21) != 0;
  int64_t threads = Int(info, 22);
  if (threads <= 0) threads = sharedThreads(*env.GetInstanceData<int>(), activeThreads.load());
  if (threads > poolThreads()) threads = poolThreads();
  sgemm(g, *currentIsa(), static_cast<int>(threads < 1 ? 1 : threads));
  return env.Undefined();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  if (activeThreads.load() == 0) {
    const int cpus = availableCpus();
    poolEnsure(cpus);
    int expected = 0;
    activeThreads.compare_exchange_strong(expected, cpus);
  }
  env.SetInstanceData(new int(nextSlot.fetch_add(1) % kSlots));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("configure", Napi::Function::New(env, Configure));
  exports.Set("sgemm", Napi::Function::New(env, Sgemm));
  return exports;
}

}  // namespace
}  // namespace chainlm

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return chainlm::Init(env, exports); }

NODE_API_MODULE(chainlm_kernels, InitModule)
