//===- Scan.cpp - The recurrent scan as a GPU kernel ----------------------===//
//
// One gpu.launch computes a whole scan. Thread→data mapping:
//
// * Grid (ceil(p / pTile), h, b): block (bx, hi, bi) owns rows
//   [bx * pTile, bx * pTile + pTile) of the p x n state of head hi of batch
//   element bi, and the matching columns of y.
// * Block: W warps of 32 lanes, pTile = W * R. Warp w owns the R rows
//   bx * pTile + w * R + j (j < R) of the tile; lane l owns the columns
//   k = l + 32 c (c < ceil(n / 32)). Each thread therefore holds R x
//   ceil(n / 32) state elements in registers (iter_args of the time loops,
//   every loop over them unrolled in the IR). Rows past p and columns past n
//   are padding: their inputs are staged as zeros, so their state stays zero
//   and nothing of them is stored.
// * Time walks in blocks of TB steps. For each block, all threads stage x
//   (TB x pTile, this block's rows), a (TB x 2 or TB x nPad) and B, C (TB x
//   nPad, nPad = n rounded up to 32) into shared memory (workgroup
//   attributions), converted to the compute type, with zeros past t and n; a
//   barrier, then every warp runs the block's steps from shared memory; a
//   barrier again before the next block overwrites the buffers. A padded step
//   (zero a, x, B) leaves the state exactly as it was.
// * Readout: y_t[r] = sum_k S_t[r, k] C_t[k] is a sum over the 32 lanes.
//   A warp collects the partial sums of its R rows for U consecutive steps
//   (V = R * U = 16 f32 or 8 f64 values a lane) and reduces them together with
//   a transposing butterfly (gpu.shuffle xor): each of the first log2(V) stages
//   sends half of the lane's values and keeps the other half, so the V sums
//   cost V - 1 + 5 - log2(V) shuffles, not 5 V. Afterwards lane l holds the sum
//   of value l >> (5 - log2 V); the lowest lane of each such group stores it.
//
// Numerics (docs/Rationale.md, "Numerics"): decays are applied as
// S + expm1(a) S, with expm1 clamped to the largest finite value (a decay
// that overflows, applied to a zero state, gives zero) and never exp(a) S.
// The state is anchored every kAnchorSteps steps: inside an anchor block the
// registers carry L, the state the block's own inputs make (from zero), and
// the block's initial state S0 reaches y through D_t = exp(A_t) (A_t the
// block's log-decays summed forward from its start, clamped like expm1):
// y_t = (L_t + D_t S0) C_t. At the block's end S0 becomes S0 + expm1(A) S0
// + L, so no long-lived state is rounded step after step. A -inf decay gives
// expm1 = -1 and D = 0: an exact reset.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/InteractToGPU/InteractToGPU.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

#include "llvm/ADT/APFloat.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mlir::interact;

namespace {

/// Lanes of an NVIDIA warp (the target table has no GPU lane count yet).
constexpr int64_t kWarpSize = 32;
/// log2(kWarpSize): the stages of a butterfly over a warp.
constexpr int64_t kWarpStages = 5;
/// 32-bit registers of partial sums a lane reduces at once (rows x steps):
/// 16 f32 values take 19 shuffles where one reduction each would take 80.
constexpr int64_t kReduceRegisters = 16;
/// The most state rows a warp owns; fewer when the columns a lane owns would
/// exceed kMaxStateRegisters 32-bit registers of state (twice that with the
/// anchor: about 64 of the ~128 a thread may use without spilling).
constexpr int64_t kMaxRowsPerWarp = 4;
constexpr int64_t kMaxStateRegisters = 16;
/// Default rows of p per thread block (4 warps of 4 rows).
constexpr int64_t kDefaultPTile = 16;
/// Default and largest time steps staged at once.
constexpr int64_t kDefaultTimeBlock = 64;
/// Static shared memory limit of a kernel, in bytes.
constexpr int64_t kMaxSharedBytes = 48 * 1024;
/// Steps between two anchorings of the state (the CPU recurrence's block).
constexpr int64_t kAnchorSteps = 128;

/// The kernel's sizes, all static.
struct ScanConfig {
  Type elementType, decayType, stateType, computeType;
  int64_t h, p, n, g;
  bool diagonal;
  int64_t cols;       // columns a lane owns: ceil(n / 32)
  int64_t nPad;       // cols * 32
  int64_t reduce;     // V: partial sums reduced at once (a power of two)
  int64_t rows;       // R: rows a warp owns (a power of two, R <= V)
  int64_t warps;      // W
  int64_t pTile;      // W * R
  int64_t steps;      // U: steps reduced together, V / R
  int64_t timeBlock;  // TB: steps staged at once, a multiple of U
  int64_t anchorEach; // time blocks between anchorings
  int64_t sharedBytes;
};

int64_t bytesOf(Type type) { return type.getIntOrFloatBitWidth() / 8; }

/// Chooses the tiles; fails (with an error at `loc`) where the staged
/// buffers cannot fit in static shared memory.
FailureOr<ScanConfig> chooseConfig(Location loc, const ScanBuffers &buffers,
                                   const GPUKernelOptions &options) {
  ScanConfig c;
  auto xType = cast<MemRefType>(buffers.x.getType());
  auto aType = cast<MemRefType>(buffers.a.getType());
  auto bType = cast<MemRefType>(buffers.B.getType());
  auto sType = cast<MemRefType>(buffers.finalState.getType());
  c.elementType = xType.getElementType();
  c.decayType = aType.getElementType();
  c.stateType = sType.getElementType();
  c.computeType = c.elementType.isF64() ? c.elementType
                                        : Float32Type::get(loc.getContext());
  c.h = xType.getDimSize(2);
  c.p = xType.getDimSize(3);
  c.n = bType.getDimSize(3);
  c.g = bType.getDimSize(2);
  c.diagonal = aType.getRank() == 4;
  c.cols = llvm::divideCeil(c.n, kWarpSize);
  c.nPad = c.cols * kWarpSize;
  int64_t pTile = options.scanPTile > 0
                      ? options.scanPTile
                      : std::min<int64_t>(kDefaultPTile, llvm::alignTo(c.p, 4));
  int64_t words = bytesOf(c.computeType) / 4;
  c.reduce = kReduceRegisters / words;
  int64_t rowsCap = std::max<int64_t>(
      1, std::min(kMaxRowsPerWarp, kMaxStateRegisters / (c.cols * words)));
  c.rows = llvm::bit_floor(static_cast<uint64_t>(std::min(rowsCap, pTile)));
  c.warps = llvm::divideCeil(pTile, c.rows);
  c.pTile = c.warps * c.rows;
  c.steps = c.reduce / c.rows;
  int64_t bytes = bytesOf(c.computeType);
  int64_t perStep = (c.pTile + (c.diagonal ? c.nPad : 2) + 2 * c.nPad) * bytes;
  if (options.scanTimeBlock > 0) {
    c.timeBlock = llvm::alignTo(options.scanTimeBlock, c.steps);
  } else {
    c.timeBlock = kDefaultTimeBlock;
    while (c.timeBlock > c.steps && c.timeBlock * perStep > kMaxSharedBytes)
      c.timeBlock /= 2;
  }
  c.sharedBytes = c.timeBlock * perStep;
  if (c.warps * kWarpSize > 1024)
    return emitError(loc) << "scan-p-tile=" << pTile << " makes blocks of "
                          << c.warps * kWarpSize << " threads (a warp per "
                          << c.rows << " rows), more than CUDA's 1024";
  if (c.sharedBytes > kMaxSharedBytes && c.timeBlock == c.steps)
    return emitError(loc)
           << "the GPU scan kernel cannot stage state size " << c.n
           << ": even its smallest time block (" << c.steps
           << " steps, the outputs a warp reduces at once) needs "
           << c.sharedBytes << " bytes of shared memory, more than the "
           << kMaxSharedBytes << " a kernel may hold statically";
  if (c.sharedBytes > kMaxSharedBytes)
    return emitError(loc) << "the GPU scan kernel stages " << c.timeBlock
                          << " time steps of x, a, B and C in " << c.sharedBytes
                          << " bytes of shared memory, more than the "
                          << kMaxSharedBytes << " a kernel may hold statically"
                          << " (state size " << c.n << ", p tile " << c.pTile
                          << "); choose a smaller scan-time-block or p tile";
  c.anchorEach = std::max<int64_t>(1, kAnchorSteps / c.timeBlock);
  return c;
}

/// Builds the body of the launch.
class ScanKernel {
public:
  ScanKernel(ImplicitLocOpBuilder &b, const ScanBuffers &buf,
             const ScanConfig &c)
      : b(b), buf(buf), c(c) {}

  void build(gpu::LaunchOp launch);

private:
  Value idx(int64_t v) { return arith::ConstantIndexOp::create(b, v); }
  Value fp(double v) {
    return arith::ConstantOp::create(b, FloatAttr::get(c.computeType, v));
  }
  Value largest() {
    const llvm::fltSemantics &sem =
        cast<FloatType>(c.computeType).getFloatSemantics();
    return arith::ConstantOp::create(
        b, FloatAttr::get(c.computeType, APFloat::getLargest(sem)));
  }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value ult(Value x, Value y) {
    return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, y);
  }
  Value both(Value x, Value y) { return arith::AndIOp::create(b, x, y); }
  Value fma(Value x, Value y, Value z) {
    return math::FmaOp::create(b, x, y, z);
  }
  /// `v` converted between float types (nothing when they agree).
  Value convert(Value v, Type to) {
    Type from = v.getType();
    if (from == to)
      return v;
    if (from.getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth())
      return arith::ExtFOp::create(b, to, v);
    return arith::TruncFOp::create(b, to, v);
  }
  /// min(f(x), largest finite): an overflowing decay stays finite; NaN
  /// propagates.
  Value clamped(Value v) { return arith::MinimumFOp::create(b, v, largest()); }
  /// `memref[indices]` in the compute type where `valid`, else 0 (the load
  /// is not issued).
  Value loadOrZero(Value memref, ValueRange indices, Value valid);
  /// The size of dimension `d` of `memref` (a constant when static).
  Value dim(Value memref, int64_t d);
  /// The sum of `v` over the warp's lanes, one value a lane (xor butterfly).
  Value shuffleXor(Value v, int64_t mask);
  /// Stages time block t0 of the inputs into shared memory.
  void stage(Value t0);
  /// Runs U steps from shared memory and stores their y; returns the new
  /// (L, A) registers.
  SmallVector<Value> steps(Value group, Value t0, ValueRange s0,
                           ValueRange state);
  /// S0 + expm1(A) S0 + L, element by element.
  SmallVector<Value> anchor(ValueRange s0, ValueRange local, ValueRange sums);

  ImplicitLocOpBuilder &b;
  const ScanBuffers &buf;
  const ScanConfig &c;
  // Values of the launch body.
  Value bi, hi, gi, tid, lane, rowBase, warpRow, len;
  SmallVector<Value> laneCols; // k = lane + 32 c
  Value xs, as, bs, cs;        // shared buffers
  int64_t numThreads = 0;
};

Value ScanKernel::dim(Value memref, int64_t d) {
  auto type = cast<MemRefType>(memref.getType());
  if (!type.isDynamicDim(d))
    return idx(type.getDimSize(d));
  return memref::DimOp::create(b, memref, d);
}

Value ScanKernel::loadOrZero(Value memref, ValueRange indices, Value valid) {
  auto ifOp = scf::IfOp::create(
      b, valid,
      [&](OpBuilder &nb, Location loc) {
        Value v = memref::LoadOp::create(nb, loc, memref, indices);
        ImplicitLocOpBuilder ib(loc, nb);
        Type to = c.computeType;
        if (v.getType() != to)
          v = v.getType().getIntOrFloatBitWidth() < to.getIntOrFloatBitWidth()
                  ? Value(arith::ExtFOp::create(ib, to, v))
                  : Value(arith::TruncFOp::create(ib, to, v));
        scf::YieldOp::create(nb, loc, v);
      },
      [&](OpBuilder &nb, Location loc) {
        Value zero = arith::ConstantOp::create(
            nb, loc, FloatAttr::get(c.computeType, 0.0));
        scf::YieldOp::create(nb, loc, zero);
      });
  return ifOp.getResult(0);
}

Value ScanKernel::shuffleXor(Value v, int64_t mask) {
  if (v.getType().getIntOrFloatBitWidth() == 32)
    return gpu::ShuffleOp::create(b, v, mask, kWarpSize, gpu::ShuffleMode::XOR)
        .getShuffleResult();
  // f64: two 32-bit shuffles of its halves.
  Type i32 = b.getI32Type(), i64 = b.getI64Type();
  Value bits = arith::BitcastOp::create(b, i64, v);
  Value lo = arith::TruncIOp::create(b, i32, bits);
  Value hi32 = arith::TruncIOp::create(
      b, i32,
      arith::ShRUIOp::create(
          b, bits, arith::ConstantOp::create(b, b.getI64IntegerAttr(32))));
  auto shuffle = [&](Value x) {
    return gpu::ShuffleOp::create(b, x, mask, kWarpSize, gpu::ShuffleMode::XOR)
        .getShuffleResult();
  };
  Value newLo = arith::ExtUIOp::create(b, i64, shuffle(lo));
  Value newHi = arith::ShLIOp::create(
      b, arith::ExtUIOp::create(b, i64, shuffle(hi32)),
      arith::ConstantOp::create(b, b.getI64IntegerAttr(32)));
  return arith::BitcastOp::create(b, v.getType(),
                                  arith::OrIOp::create(b, newLo, newHi));
}

void ScanKernel::stage(Value t0) {
  Value threads = idx(numThreads);
  Value p = idx(c.p), n = idx(c.n);
  // Each loop walks its buffer in row-major order, consecutive threads on
  // consecutive elements (coalesced loads along p or n).
  auto walk = [&](int64_t width,
                  function_ref<void(Value s, Value j, Value t)> body) {
    auto loop = scf::ForOp::create(b, tid, idx(c.timeBlock * width), threads);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(loop.getBody()->getTerminator());
    Value e = loop.getInductionVar();
    Value s = arith::DivUIOp::create(b, e, idx(width));
    Value j = arith::RemUIOp::create(b, e, idx(width));
    body(s, j, add(t0, s));
  };
  // x: TB x pTile, rows of this block.
  walk(c.pTile, [&](Value s, Value j, Value t) {
    Value row = add(rowBase, j);
    Value v =
        loadOrZero(buf.x, {bi, t, hi, row}, both(ult(t, len), ult(row, p)));
    memref::StoreOp::create(b, v, xs, ValueRange{s, j});
  });
  // a: TB x nPad (diagonal), or TB x 2 (scalar: a and its factor
  // min(expm1(a), largest), computed once here rather than by every thread
  // of the block).
  if (c.diagonal) {
    walk(c.nPad, [&](Value s, Value k, Value t) {
      Value v = loadOrZero(buf.a, {bi, t, hi, k}, both(ult(t, len), ult(k, n)));
      memref::StoreOp::create(b, v, as, ValueRange{s, k});
    });
  } else {
    walk(1, [&](Value s, Value, Value t) {
      Value v = loadOrZero(buf.a, {bi, t, hi}, ult(t, len));
      memref::StoreOp::create(b, v, as, ValueRange{s, idx(0)});
      Value f = clamped(math::ExpM1Op::create(b, v));
      memref::StoreOp::create(b, f, as, ValueRange{s, idx(1)});
    });
  }
  // B and C: TB x nPad of group gi.
  walk(c.nPad, [&](Value s, Value k, Value t) {
    Value valid = both(ult(t, len), ult(k, n));
    Value vb = loadOrZero(buf.B, {bi, t, gi, k}, valid);
    memref::StoreOp::create(b, vb, bs, ValueRange{s, k});
    Value vc = loadOrZero(buf.C, {bi, t, gi, k}, valid);
    memref::StoreOp::create(b, vc, cs, ValueRange{s, k});
  });
}

SmallVector<Value> ScanKernel::anchor(ValueRange s0, ValueRange local,
                                      ValueRange sums) {
  SmallVector<Value> factor;
  for (Value a : sums)
    factor.push_back(clamped(math::ExpM1Op::create(b, a)));
  SmallVector<Value> out;
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t k = 0; k < c.cols; ++k) {
      int64_t e = r * c.cols + k;
      Value f = factor[c.diagonal ? k : 0];
      out.push_back(arith::AddFOp::create(b, fma(f, s0[e], s0[e]), local[e]));
    }
  return out;
}

SmallVector<Value> ScanKernel::steps(Value group, Value t0, ValueRange s0,
                                     ValueRange state) {
  int64_t numState = c.rows * c.cols;
  SmallVector<Value> local(state.begin(), state.begin() + numState);
  SmallVector<Value> sums(state.begin() + numState, state.end());
  // partial[s * R + r]: this lane's part of y at step s, row r.
  SmallVector<Value> partial;
  Value first = mul(group, idx(c.steps));
  for (int64_t s = 0; s < c.steps; ++s) {
    Value ts = add(first, idx(s));
    // The decay of this step: factor expm1(a) for L, D = exp(A) for S0.
    SmallVector<Value> factor, weight;
    for (int64_t k = 0; k < (c.diagonal ? c.cols : 1); ++k) {
      Value col = c.diagonal ? laneCols[k] : idx(0);
      Value a = memref::LoadOp::create(b, as, ValueRange{ts, col});
      factor.push_back(c.diagonal ? clamped(math::ExpM1Op::create(b, a))
                                  : Value(memref::LoadOp::create(
                                        b, as, ValueRange{ts, idx(1)})));
      sums[k] = arith::AddFOp::create(b, sums[k], a);
      weight.push_back(clamped(math::ExpOp::create(b, sums[k])));
    }
    SmallVector<Value> xr, bk, ck;
    for (int64_t r = 0; r < c.rows; ++r)
      xr.push_back(
          memref::LoadOp::create(b, xs, ValueRange{ts, add(warpRow, idx(r))}));
    for (int64_t k = 0; k < c.cols; ++k) {
      bk.push_back(memref::LoadOp::create(b, bs, ValueRange{ts, laneCols[k]}));
      ck.push_back(memref::LoadOp::create(b, cs, ValueRange{ts, laneCols[k]}));
    }
    for (int64_t r = 0; r < c.rows; ++r) {
      Value sum;
      for (int64_t k = 0; k < c.cols; ++k) {
        int64_t e = r * c.cols + k;
        int64_t d = c.diagonal ? k : 0;
        // L = L + expm1(a) L + x B; y part += (L + D S0) C.
        local[e] = fma(xr[r], bk[k], fma(factor[d], local[e], local[e]));
        Value full = fma(weight[d], s0[e], local[e]);
        sum = sum ? fma(full, ck[k], sum)
                  : Value(arith::MulFOp::create(b, full, ck[k]));
      }
      partial.push_back(sum);
    }
  }
  // Transposing butterfly: the first log2(V) stages halve the values a lane
  // holds (lanes with the stage's bit set keep the upper half), the rest
  // are plain butterflies.
  Value lane32 = arith::IndexCastOp::create(b, b.getI32Type(), lane);
  int64_t count = static_cast<int64_t>(partial.size());
  for (int64_t mask = kWarpSize / 2; mask >= 1; mask /= 2) {
    if (count == 1) {
      partial[0] =
          arith::AddFOp::create(b, partial[0], shuffleXor(partial[0], mask));
      continue;
    }
    Value bit = arith::CmpIOp::create(
        b, arith::CmpIPredicate::ne,
        arith::AndIOp::create(
            b, lane32, arith::ConstantOp::create(b, b.getI32IntegerAttr(mask))),
        arith::ConstantOp::create(b, b.getI32IntegerAttr(0)));
    int64_t half = count / 2;
    for (int64_t i = 0; i < half; ++i) {
      Value lo = partial[i], hiV = partial[i + half];
      Value send = arith::SelectOp::create(b, bit, lo, hiV);
      Value keep = arith::SelectOp::create(b, bit, hiV, lo);
      partial[i] = arith::AddFOp::create(b, keep, shuffleXor(send, mask));
    }
    count = half;
  }
  // Lane l holds value v = l >> (5 - log2 V) (lanes sharing v hold the same
  // sum; the lowest stores it): step v / R, row v % R of the warp.
  int64_t shift = kWarpStages - llvm::Log2_64(c.reduce);
  Value v = arith::ShRUIOp::create(b, lane, idx(shift));
  Value owner = arith::CmpIOp::create(
      b, arith::CmpIPredicate::eq,
      arith::AndIOp::create(b, lane, idx((int64_t(1) << shift) - 1)), idx(0));
  Value t = add(t0, add(first, arith::DivUIOp::create(b, v, idx(c.rows))));
  Value row =
      add(rowBase, add(warpRow, arith::RemUIOp::create(b, v, idx(c.rows))));
  Value store = both(owner, both(ult(t, len), ult(row, idx(c.p))));
  auto ifOp = scf::IfOp::create(b, store, /*withElseRegion=*/false);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Type yType = cast<MemRefType>(buf.y.getType()).getElementType();
    memref::StoreOp::create(b, convert(partial[0], yType), buf.y,
                            ValueRange{bi, t, hi, row});
  }
  SmallVector<Value> out = local;
  out.append(sums);
  return out;
}

void ScanKernel::build(gpu::LaunchOp launch) {
  numThreads = c.warps * kWarpSize;
  auto wg = launch.getWorkgroupAttributions();
  xs = wg[0];
  as = wg[1];
  bs = wg[2];
  cs = wg[3];
  bi = launch.getBlockIds().z;
  hi = launch.getBlockIds().y;
  Value tile = launch.getBlockIds().x;
  tid = launch.getThreadIds().x;
  gi = arith::DivUIOp::create(b, hi, idx(c.h / c.g));
  lane = arith::RemUIOp::create(b, tid, idx(kWarpSize));
  Value warp = arith::DivUIOp::create(b, tid, idx(kWarpSize));
  rowBase = mul(tile, idx(c.pTile));
  warpRow = mul(warp, idx(c.rows));
  len = dim(buf.x, 1);
  for (int64_t k = 0; k < c.cols; ++k)
    laneCols.push_back(add(lane, idx(k * kWarpSize)));
  SmallVector<Value> rowsOf, rowOk, colOk;
  for (int64_t r = 0; r < c.rows; ++r) {
    rowsOf.push_back(add(rowBase, add(warpRow, idx(r))));
    rowOk.push_back(ult(rowsOf[r], idx(c.p)));
  }
  for (int64_t k = 0; k < c.cols; ++k)
    colOk.push_back(ult(laneCols[k], idx(c.n)));

  // The registers: S0 (anchor), L (this anchor block's own state), A (the
  // anchor block's summed log-decays: one, or one per column).
  int64_t numState = c.rows * c.cols;
  int64_t numSums = c.diagonal ? c.cols : 1;
  SmallVector<Value> init;
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t k = 0; k < c.cols; ++k)
      init.push_back(buf.initState
                         ? loadOrZero(buf.initState,
                                      {bi, hi, rowsOf[r], laneCols[k]},
                                      both(rowOk[r], colOk[k]))
                         : fp(0.0));
  for (int64_t e = 0; e < numState + numSums; ++e)
    init.push_back(fp(0.0));

  Value numBlocks = arith::DivUIOp::create(b, add(len, idx(c.timeBlock - 1)),
                                           idx(c.timeBlock));
  auto timeLoop = scf::ForOp::create(b, idx(0), numBlocks, idx(1), init);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(timeLoop.getBody());
    Value block = timeLoop.getInductionVar();
    ValueRange carried = timeLoop.getRegionIterArgs();
    SmallVector<Value> s0(carried.begin(), carried.begin() + numState);
    SmallVector<Value> state(carried.begin() + numState, carried.end());
    Value t0 = mul(block, idx(c.timeBlock));
    stage(t0);
    gpu::BarrierOp::create(b);
    auto groups = scf::ForOp::create(b, idx(0), idx(c.timeBlock / c.steps),
                                     idx(1), state);
    {
      OpBuilder::InsertionGuard inner(b);
      b.setInsertionPointToStart(groups.getBody());
      SmallVector<Value> next =
          steps(groups.getInductionVar(), t0, s0, groups.getRegionIterArgs());
      scf::YieldOp::create(b, next);
    }
    // The buffers are overwritten by the next block's stage.
    gpu::BarrierOp::create(b);
    ValueRange after = groups.getResults();
    SmallVector<Value> local(after.begin(), after.begin() + numState);
    SmallVector<Value> sums(after.begin() + numState, after.end());
    SmallVector<Value> anchored = anchor(s0, local, sums);
    SmallVector<Value> next;
    if (c.anchorEach == 1) {
      next = anchored;
      for (int64_t e = 0; e < numState + numSums; ++e)
        next.push_back(fp(0.0));
    } else {
      // Anchor after every anchorEach-th time block.
      Value fold = arith::CmpIOp::create(
          b, arith::CmpIPredicate::eq,
          arith::RemUIOp::create(b, add(block, idx(1)), idx(c.anchorEach)),
          idx(0));
      for (int64_t e = 0; e < numState; ++e)
        next.push_back(arith::SelectOp::create(b, fold, anchored[e], s0[e]));
      for (Value v : after)
        next.push_back(arith::SelectOp::create(b, fold, fp(0.0), v));
    }
    scf::YieldOp::create(b, next);
  }
  ValueRange done = timeLoop.getResults();
  SmallVector<Value> finalState =
      anchor(done.take_front(numState), done.slice(numState, numState),
             done.drop_front(2 * numState));
  Type sType = cast<MemRefType>(buf.finalState.getType()).getElementType();
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t k = 0; k < c.cols; ++k) {
      auto ifOp = scf::IfOp::create(b, both(rowOk[r], colOk[k]), false);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(ifOp.thenBlock());
      memref::StoreOp::create(b, convert(finalState[r * c.cols + k], sType),
                              buf.finalState,
                              ValueRange{bi, hi, rowsOf[r], laneCols[k]});
    }
}

} // namespace

LogicalResult mlir::interact::emitScanKernel(OpBuilder &builder, Location loc,
                                             const ScanBuffers &buffers,
                                             const GPUKernelOptions &options) {
  FailureOr<ScanConfig> config = chooseConfig(loc, buffers, options);
  if (failed(config))
    return failure();
  const ScanConfig &c = *config;
  ImplicitLocOpBuilder b(loc, builder);
  auto one = arith::ConstantIndexOp::create(b, 1);
  Value batch = memref::DimOp::create(b, buffers.x, 0);
  Value tiles =
      arith::ConstantIndexOp::create(b, llvm::divideCeil(c.p, c.pTile));
  Value heads = arith::ConstantIndexOp::create(b, c.h);
  Value threads = arith::ConstantIndexOp::create(b, c.warps * kWarpSize);
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto shared = [&](int64_t width) {
    return MemRefType::get({c.timeBlock, width}, c.computeType,
                           MemRefLayoutAttrInterface(), workgroup);
  };
  SmallVector<Type> attributions = {shared(c.pTile),
                                    shared(c.diagonal ? c.nPad : 2),
                                    shared(c.nPad), shared(c.nPad)};
  auto launch = gpu::LaunchOp::create(b, tiles, heads, batch, threads, one, one,
                                      /*dynamicSharedMemorySize=*/nullptr,
                                      /*asyncTokenType=*/nullptr,
                                      /*asyncDependencies=*/{}, attributions);
  b.setInsertionPointToStart(&launch.getBody().front());
  ScanKernel(b, buffers, c).build(launch);
  gpu::TerminatorOp::create(b);
  return success();
}
