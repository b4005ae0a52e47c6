//===- AttentionSIMT.cpp - Flash attention on CUDA cores ------------------===//
//
// The attention kernel for every case the tensor-core kernel does not take
// (f32, f64, the semiseparable mask, head dimensions that are not multiples
// of 16). One warp computes one query row:
//
//   grid  (ceil(t / W), H, b), block W warps (W = kSIMTWarps), warp w of
//   block x computes row i = x W + w of head y, batch z;
//   lane l holds q_i[c] and the output accumulator y_i[c] for the columns
//   c = l + 32 r (r < ceil(n / 32), resp. ceil(p / 32));
//   per key j: the partial dot q_i . k_j over the lane's columns, summed over
//   the warp by a butterfly of gpu.shuffle xor; then the online-softmax
//   update (running maximum m, normalizer l, accumulator) or, for the
//   identity kernel, acc += score v_j.
//
// Keys are walked in order: j = 0 .. s-1 (mask none), j = 0 .. i (causal),
// j = i, i-1, .., 0 (semiseparable), accumulating the segment sum
// a_{j+1} + ... + a_i directly as the walk goes (docs/Rationale.md,
// "Numerics": never exp(cs_i - cs_j)). A whole warp shares one row, so its
// loop bounds are uniform and every shuffle has all 32 lanes.
//
// f32 softmax works in base 2 (scores times scale log2(e), weights
// exp2(x - m)); f64 computes in f64 with exp.
//
//===----------------------------------------------------------------------===//

#include "AttentionKernels.h"

#include "interact/Dialect/Interact/IR/InteractMask.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::attention;

namespace {

/// Warps (query rows) per thread block.
constexpr int64_t kSIMTWarps = 4;

/// The SIMT kernel's body, built inside the launch.
class SIMTKernel {
public:
  SIMTKernel(ImplicitLocOpBuilder &b, const Problem &pr) : b(b), pr(pr) {}
  void build(gpu::LaunchOp launch);

private:
  /// The lane's column `lane + 32 r` of a dimension of size `dim`, clamped
  /// into range, and whether it is in range (null where it always is).
  std::pair<Value, Value> column(int64_t r, int64_t dim);
  Value load(Value buffer, ValueRange indices);
  Value exp(Value x);

  ImplicitLocOpBuilder &b;
  const Problem &pr;
  Type ct;
  Value lane;
  /// f32 softmax: scores and log-weights in base 2.
  bool base2 = false;
};

std::pair<Value, Value> SIMTKernel::column(int64_t r, int64_t dim) {
  Value c = addi(b, lane, indexConst(b, r * kLanes));
  if ((r + 1) * kLanes <= dim)
    return {c, Value()};
  return {minui(b, c, indexConst(b, dim - 1)), ult(b, c, indexConst(b, dim))};
}

Value SIMTKernel::load(Value buffer, ValueRange indices) {
  return castFloat(b, memref::LoadOp::create(b, buffer, indices), ct);
}

Value SIMTKernel::exp(Value x) {
  if (base2)
    return math::Exp2Op::create(b, x);
  return math::ExpOp::create(b, x);
}

void SIMTKernel::build(gpu::LaunchOp launch) {
  const AttentionBuffers &buf = pr.buffers;
  ct = pr.compute;
  bool softmax = buf.kernel == Kernel::Softmax;
  MaskTraits traits = getMaskTraits(buf.mask);
  base2 = softmax && ct.isF32();
  double log2e = 1.0 / std::log(2.0);

  Value warp =
      arith::DivUIOp::create(b, launch.getThreadIds().x, indexConst(b, kLanes));
  lane =
      arith::RemUIOp::create(b, launch.getThreadIds().x, indexConst(b, kLanes));
  Value batch = launch.getBlockIds().z, head = launch.getBlockIds().y;
  Value row =
      addi(b, muli(b, launch.getBlockIds().x, indexConst(b, kSIMTWarps)), warp);
  // Grouped heads: output head h reads head h / (H / h_x) of operand x.
  auto headOf = [&](int64_t count) -> Value {
    return arith::DivUIOp::create(b, head, indexConst(b, pr.heads / count));
  };
  Value hq = headOf(pr.hq), hk = headOf(pr.hk), hv = headOf(pr.hv);

  auto inside = scf::IfOp::create(b, ult(b, row, pr.len),
                                  /*withElseRegion=*/false);
  b.setInsertionPoint(inside.thenBlock()->getTerminator());

  int64_t nq = llvm::divideCeil(pr.n, kLanes);
  int64_t np = llvm::divideCeil(pr.p, kLanes);
  // The query, pre-scaled: q . k is then the score (in base 2 for f32
  // softmax). A lane's columns past n hold 0 and are selected out below.
  Value qScale = floatConst(b, ct, buf.scale * (base2 ? log2e : 1.0));
  SmallVector<Value> qv;
  for (int64_t r = 0; r < nq; ++r) {
    auto [c, valid] = column(r, pr.n);
    Value x =
        arith::MulFOp::create(b, load(buf.q, {batch, row, hq, c}), qScale);
    qv.push_back(x);
  }

  Value zero = floatConst(b, ct, 0.0);
  Value negInf = floatConst(b, ct, -std::numeric_limits<double>::infinity());
  // Loop-carried: [m, l] (softmax), the lane's accumulators, [seg]
  // (semiseparable: a_{j+1} + ... + a_i of the key j being visited).
  SmallVector<Value> init;
  if (softmax)
    init.append({negInf, zero});
  init.append(np, zero);
  if (traits.decayed)
    init.push_back(zero);
  Value upper = traits.causal ? addi(b, row, indexConst(b, 1)) : pr.src;
  auto loop =
      scf::ForOp::create(b, indexConst(b, 0), upper, indexConst(b, 1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value iv = loop.getInductionVar();
    ValueRange args = loop.getRegionIterArgs();
    // Semiseparable: walk j = i, i-1, ..., 0.
    Value key = traits.decayed ? Value(arith::SubIOp::create(b, row, iv)) : iv;
    Value partial = zero;
    for (int64_t r = 0; r < nq; ++r) {
      auto [c, valid] = column(r, pr.n);
      Value term =
          arith::MulFOp::create(b, qv[r], load(buf.k, {batch, key, hk, c}));
      // Select, not multiply by 0: the clamped column may hold NaN.
      if (valid)
        term = arith::SelectOp::create(b, valid, term, zero);
      partial = arith::AddFOp::create(b, partial, term);
    }
    Value score = butterfly(b, partial, kLanes, /*add=*/true);
    SmallVector<Value> vv;
    for (int64_t r = 0; r < np; ++r)
      vv.push_back(load(buf.v, {batch, key, hv, column(r, pr.p).first}));
    Value seg = traits.decayed ? args.back() : Value();
    ValueRange acc = args.slice(softmax ? 2 : 0, np);
    SmallVector<Value> next;
    if (softmax) {
      Value x = score;
      if (seg)
        x = arith::AddFOp::create(b, x,
                                  base2 ? Value(arith::MulFOp::create(
                                              b, seg, floatConst(b, ct, log2e)))
                                        : seg);
      Value m = args[0], l = args[1];
      Value mNew = arith::MaximumFOp::create(b, m, x);
      // A row that has seen only -inf logits keeps m = -inf; shift by 0
      // then, so that exp(-inf - -inf) is never formed.
      Value shift = arith::SelectOp::create(
          b, arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, mNew, negInf),
          zero, mNew);
      Value corr = exp(arith::SubFOp::create(b, m, shift));
      Value w = exp(arith::SubFOp::create(b, x, shift));
      next.push_back(mNew);
      next.push_back(
          arith::AddFOp::create(b, arith::MulFOp::create(b, l, corr), w));
      // A -inf log-decay (reset) excludes the key: select, so that NaN in
      // its value does not reach the row.
      Value excluded = seg ? Value(arith::CmpFOp::create(
                                 b, arith::CmpFPredicate::OEQ, x, negInf))
                           : Value();
      for (int64_t r = 0; r < np; ++r) {
        Value a =
            arith::AddFOp::create(b, arith::MulFOp::create(b, acc[r], corr),
                                  arith::MulFOp::create(b, w, vv[r]));
        if (excluded)
          a = arith::SelectOp::create(b, excluded, acc[r], a);
        next.push_back(a);
      }
    } else {
      Value w = score;
      if (seg) {
        // exp of the segment sum, saturated like the reference's
        // boundedExp: an overflowing weight times 0 is 0, not NaN.
        Value decay = math::ExpOp::create(b, seg);
        auto type = cast<FloatType>(ct);
        Value largest = arith::ConstantOp::create(
            b,
            b.getFloatAttr(ct, APFloat::getLargest(type.getFloatSemantics())));
        w = arith::MulFOp::create(b, w,
                                  arith::MinimumFOp::create(b, decay, largest));
      }
      for (int64_t r = 0; r < np; ++r)
        next.push_back(arith::AddFOp::create(
            b, acc[r], arith::MulFOp::create(b, w, vv[r])));
    }
    if (seg)
      next.push_back(arith::AddFOp::create(
          b, seg,
          castFloat(b, memref::LoadOp::create(b, buf.decay, {batch, key, head}),
                    ct)));
    scf::YieldOp::create(b, next);
  }

  ValueRange results = loop.getResults();
  ValueRange acc = results.slice(softmax ? 2 : 0, np);
  Value inverse = softmax ? normalizer(b, results[1]) : Value();
  for (int64_t r = 0; r < np; ++r) {
    auto [c, valid] = column(r, pr.p);
    Value out = acc[r];
    if (inverse)
      out = arith::MulFOp::create(b, out, inverse);
    out = castFloat(b, out, pr.element);
    OpBuilder::InsertionGuard guard(b);
    if (valid) {
      auto store = scf::IfOp::create(b, valid, /*withElseRegion=*/false);
      b.setInsertionPoint(store.thenBlock()->getTerminator());
    }
    memref::StoreOp::create(b, out, buf.y, ValueRange{batch, row, head, c});
  }
}

} // namespace

LogicalResult attention::emitSIMTKernel(ImplicitLocOpBuilder &b,
                                        const Problem &problem,
                                        const GPUKernelOptions &options) {
  (void)options;
  Value one = indexConst(b, 1);
  auto launch = gpu::LaunchOp::create(
      b, ceilDiv(b, problem.len, kSIMTWarps), indexConst(b, problem.heads),
      problem.batch, indexConst(b, kSIMTWarps * kLanes), one, one);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(&launch.getBody().front());
  SIMTKernel(b, problem).build(launch);
  b.setInsertionPointToEnd(&launch.getBody().front());
  gpu::TerminatorOp::create(b);
  return success();
}
