// Calls examples/causal_attention_block.mlir from C++ through the library
// interact-compile makes of it, and checks it against a float64 reference
// written here (projections, grouped-query causal softmax attention, output
// projection, residual):
//
//   interact-compile examples/causal_attention_block.mlir --target=host
//       -o out/libattention.so
//   c++ -std=c++17 -O2 examples/cpp/causal_attention_block.cpp -I out
//       -L out -lattention -Wl,-rpath,'$ORIGIN' -o out/attention_block
//   out/attention_block
//
// The output is allocated by the library (data = nullptr) and owned here by
// a std::unique_ptr whose deleter is attention_tensor_free; the call runs on
// two threads (interact_call_options).

#include "attention.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <memory>
#include <random>
#include <vector>

namespace {

constexpr int64_t kBatch = 2, kLength = 64, kWidth = 256, kHeads = 8,
                  kKvHeads = 2, kHeadDim = 32;

/// The library's output, freed by the library.
struct TensorDeleter {
  void operator()(interact_tensor *t) const {
    attention_tensor_free(t);
    delete t;
  }
};
using Owned = std::unique_ptr<interact_tensor, TensorDeleter>;

/// c[r x m] = a[r x k] b[k x m], in double.
std::vector<double> matmul(const std::vector<double> &a,
                           const std::vector<float> &b, int64_t rows, int64_t k,
                           int64_t m) {
  std::vector<double> c(rows * m, 0.0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < k; ++i)
      for (int64_t j = 0; j < m; ++j)
        c[r * m + j] += a[r * k + i] * b[i * m + j];
  return c;
}

std::vector<double> reference(const std::vector<float> &u,
                              const std::vector<float> &wq,
                              const std::vector<float> &wk,
                              const std::vector<float> &wv,
                              const std::vector<float> &wo) {
  int64_t rows = kBatch * kLength;
  std::vector<double> u64(u.begin(), u.end());
  std::vector<double> q = matmul(u64, wq, rows, kWidth, kHeads * kHeadDim);
  std::vector<double> k = matmul(u64, wk, rows, kWidth, kKvHeads * kHeadDim);
  std::vector<double> v = matmul(u64, wv, rows, kWidth, kKvHeads * kHeadDim);
  std::vector<double> y(rows * kHeads * kHeadDim, 0.0);
  double scale = 0.176776695; // the example's, about 1 / sqrt(32)
  for (int64_t b = 0; b < kBatch; ++b)
    for (int64_t h = 0; h < kHeads; ++h) {
      int64_t g = h / (kHeads / kKvHeads); // the head's key/value group
      for (int64_t i = 0; i < kLength; ++i) {
        std::vector<double> s(i + 1);
        for (int64_t j = 0; j <= i; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < kHeadDim; ++d)
            dot += q[((b * kLength + i) * kHeads + h) * kHeadDim + d] *
                   k[((b * kLength + j) * kKvHeads + g) * kHeadDim + d];
          s[j] = scale * dot;
        }
        double top = *std::max_element(s.begin(), s.end()), sum = 0;
        for (double &e : s)
          sum += (e = std::exp(e - top));
        for (int64_t j = 0; j <= i; ++j)
          for (int64_t d = 0; d < kHeadDim; ++d)
            y[((b * kLength + i) * kHeads + h) * kHeadDim + d] +=
                s[j] / sum *
                v[((b * kLength + j) * kKvHeads + g) * kHeadDim + d];
      }
    }
  std::vector<double> out = matmul(y, wo, rows, kHeads * kHeadDim, kWidth);
  for (int64_t i = 0; i < rows * kWidth; ++i)
    out[i] += u[i];
  return out;
}

} // namespace

int main() {
  std::mt19937 generator(3);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto make = [&](int64_t rows, int64_t cols, float scale) {
    std::vector<float> values(rows * cols);
    for (float &value : values)
      value = normal(generator) * scale;
    return values;
  };
  float w = 1.0f / std::sqrt(float(kWidth));
  std::vector<float> u = make(kBatch * kLength, kWidth, 1.0f);
  std::vector<float> wq = make(kWidth, kHeads * kHeadDim, w);
  std::vector<float> wk = make(kWidth, kKvHeads * kHeadDim, w);
  std::vector<float> wv = make(kWidth, kKvHeads * kHeadDim, w);
  std::vector<float> wo = make(kHeads * kHeadDim, kWidth, w);

  int64_t uShape[] = {kBatch, kLength, kWidth}, qShape[] = {kWidth, 256},
          kvShape[] = {kWidth, 64}, oShape[] = {256, kWidth};
  interact_tensor inputs[] = {
      interact_tensor_contiguous(u.data(), INTERACT_F32, 3, uShape),
      interact_tensor_contiguous(wq.data(), INTERACT_F32, 2, qShape),
      interact_tensor_contiguous(wk.data(), INTERACT_F32, 2, kvShape),
      interact_tensor_contiguous(wv.data(), INTERACT_F32, 2, kvShape),
      interact_tensor_contiguous(wo.data(), INTERACT_F32, 2, oShape)};
  Owned result(new interact_tensor{});
  interact_call_options options{/*num_threads=*/2, /*cuda_stream=*/nullptr};
  int status = attention_call("causal_attention_block", inputs, 5, result.get(),
                              1, &options);
  if (status != INTERACT_OK) {
    std::fprintf(stderr, "attention_call: %d: %s\n", status,
                 attention_last_error());
    return 1;
  }
  std::vector<double> expected = reference(u, wq, wk, wv, wo);
  const float *got = static_cast<const float *>(result->data);
  double worst = 0, scale = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    worst = std::max(worst, std::fabs(got[i] - expected[i]));
    scale = std::max(scale, std::fabs(expected[i]));
  }
  std::printf("causal_attention_block: %lldx%lldx%lld, max error %.2e "
              "(relative to max |y| %.3g)\n",
              (long long)result->shape[0], (long long)result->shape[1],
              (long long)result->shape[2], worst / scale, scale);
  if (worst > 1e-4 * scale) {
    std::printf("FAIL\n");
    return 1;
  }
  std::printf("ok\n");
  return 0;
}
