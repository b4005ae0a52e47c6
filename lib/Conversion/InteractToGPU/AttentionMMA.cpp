//===- AttentionMMA.cpp - Flash attention on tensor cores -----------------===//
//
// FlashAttention-2 on mma.sync m16n8k16 (f16 or bf16 operands, f32
// accumulation) for masks none and causal.
//
// Mapping. grid (ceil(t / BQ), H, b), block BQ / 16 warps. Block x computes
// the query tile qt = gridDim.x - 1 - x (causal: the longest rows first),
// rows q0 = qt BQ .. q0 + BQ - 1 of head y (GQA: q head y / (H / h_q), ...)
// and batch z; warp w owns the 16 rows q0 + 16 w + [0, 16). Keys are walked
// in tiles of BK: K and V tiles are copied into shared memory with cp.async
// (nvgpu.device_async_copy, 16 bytes a copy, rows past s zero-filled), double
// buffered (tile kt + 1 loads while tile kt computes), rows padded by 8
// elements so that ldmatrix's 8 row addresses of 16 bytes hit distinct banks.
//
// Fragments (PTX ISA, mma.m16n8k16; gid = lane / 4, tig = lane % 4; each
// register holds 2 consecutive elements of a row):
//   A 16x16 (row-major): reg0 (row gid, cols 2 tig + {0,1}), reg1 (row
//     gid + 8, same cols), reg2 (row gid, cols 8 + 2 tig + {0,1}), reg3 (row
//     gid + 8, cols 8 + 2 tig + {0,1}).
//   B 16x8 (k x n, "col-major"): reg0 (k = 2 tig + {0,1}, n = gid), reg1
//     (k = 8 + 2 tig + {0,1}, n = gid).
//   C/D 16x8 f32: c0, c1 (row gid, cols 2 tig + {0,1}), c2, c3 (row gid + 8,
//     same cols).
//
// S = Q K^T, per warp 16 x BK: A = the warp's Q rows (k = head dim n), read
// once from global memory straight into registers (n / 16 A fragments);
// B(k = dim, n = key) = K[key][dim], i.e. rows of the K tile: ldmatrix
// (non-transposed) of 8x8 blocks of sK gives lane l the elements
// (row l / 4, cols 2 (l % 4) + {0,1}) = K[key gid][dim 2 tig + {0,1}], which
// is B's reg0 (dims 0..7 of the k-step) and reg1 (dims 8..15). One x4
// ldmatrix loads two key groups: lanes 8m..8m+7 address matrix m's rows,
//   m0: keys 8g + [0,8), dims 16kk + [0,8)      -> B(key group g) reg0
//   m1: keys 8g + [0,8), dims 16kk + 8 + [0,8)  -> B(g) reg1
//   m2, m3: the same for key group g + 1,
// so lane l addresses key 8 (g + l / 16) + l % 8, dim 16 kk + 8 ((l / 8) % 2).
//
// Online softmax on the S fragments: a thread holds rows gid (c0, c1 of
// every key group) and gid + 8 (c2, c3); a row's maximum is reduced over the
// 4 lanes of a quad (shuffle xor 1, 2). The normalizer is kept per thread
// (partial sums over its columns; the correction factor is uniform across
// the quad) and summed over the quad once at the end.
//
// O += P V, per warp 16 x p: P's C fragments are A fragments as they stand:
// for the k-step of keys 16 ks + [0,16), A reg0 = (row gid, keys 2 tig +
// {0,1}) = C(key group 2 ks) c0,c1; reg1 = C(2 ks) c2,c3; reg2 = C(2 ks + 1)
// c0,c1; reg3 = C(2 ks + 1) c2,c3; each pair rounded to f16/bf16.
// B(k = key, n = out dim) = V[key][dim] is a column of the stored V tile:
// ldmatrix .trans gives lane l the stored elements (rows 2 (l % 4) + {0,1},
// col l / 4) = V[key 2 tig + {0,1}][dim gid], B's reg0 (keys 0..7 of the
// k-step) and reg1 (keys 8..15). One x4 ldmatrix.trans loads two dim groups:
//   m0: keys 16ks + [0,8), dims 8d + [0,8)   -> B(dim group d) reg0
//   m1: keys 16ks + 8 + [0,8), dims 8d + ... -> B(d) reg1
//   m2, m3: the same for dim group d + 1,
// so lane l addresses key 16 ks + 8 ((l / 8) % 2) + l % 8, dim 8 (d + l / 16).
//
// Masks: tiles [0, nFull) are visible to every row of the block and built
// without masks; the rest (the tile(s) crossing the causal diagonal, the
// tile crossing s) select masked scores to -inf (softmax) or 0 (identity),
// so NaN or Inf in a masked key never reaches a row; a warp skips a tile, and
// a 16-key step of P V, none of whose keys its rows see. Softmax in base 2:
// scores times scale log2(e), weights exp2(x - m).
//
// Masked values. Scores are selected, so K is safe; V is not: mma.sync
// multiplies a masked key's exact 0 weight by its V row, and 0 * Inf = NaN.
// Keys past s are zero-filled by the copies (V = 0 there), and a causal
// warp's 16-key steps below its diagonal have no masked key; only the step
// crossing the diagonal (keys 16 ks + [0,16) with some key past the warp's
// first row) multiplies masked V rows. That step first checks, warp-wide,
// whether its 16 V rows hold a non-finite value (each lane tests p / 16 16-
// byte chunks of the tile for an all-ones exponent; vote.sync any); only
// then does it leave the tensor cores for a select-based step: each thread
// gathers its two rows' 16 weights from its quad (shuffle idx of the packed A
// registers, so the same rounded P as mma) and, for its own C entries (row
// gid + 8 r, cols 8 d + 2 tig + {0,1}), adds P[row][key] V[key][col] from the
// shared tile only where key <= row; a skipped term is absent, a non-finite V
// of a visible key propagates as in the reference. (Selects for every
// crossing step would cost about 16 mma steps' time per warp and query tile;
// the check costs p / 16 shared loads and a vote, and finite V, the common
// case, stays on the tensor cores.)
//
//===----------------------------------------------------------------------===//

#include "AttentionKernels.h"

#include "interact/Dialect/Interact/IR/InteractMask.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/NVGPU/IR/NVGPUDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

#include <array>
#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::attention;

namespace {

/// mma.sync m16n8k16: rows of A and C, columns of B and C, the reduction.
constexpr int64_t kM = 16, kN = 8, kK = 16;
/// Elements of T (16-bit) a cp.async of 16 bytes moves.
constexpr int64_t kCopyElements = 8;
/// Padding of a shared-memory row, in elements (16 bytes): rows of 2 n + 16
/// bytes put ldmatrix's 8 row addresses in distinct banks.
constexpr int64_t kRowPad = 8;
/// Static shared memory a kernel may use without opting in.
constexpr int64_t kStaticSharedBytes = 48 * 1024;
constexpr int64_t kDefaultBlockQ = 64, kDefaultBlockK = 64;

/// A C/D fragment: c0, c1 (row gid), c2, c3 (row gid + 8).
using Acc = std::array<Value, 4>;

struct Config {
  int64_t blockQ, blockK, warps;
};

/// The tile sizes: the options' where given, else BQ = 64 and the largest
/// BK <= 64 whose double-buffered tiles fit in static shared memory.
FailureOr<Config> chooseConfig(ImplicitLocOpBuilder &b, const Problem &pr,
                               const GPUKernelOptions &options) {
  Config config;
  config.blockQ =
      options.attentionBlockQ ? options.attentionBlockQ : kDefaultBlockQ;
  if (config.blockQ % kM || config.blockQ < kM || config.blockQ > 16 * kM)
    return emitError(b.getLoc())
           << "attention-block-q=" << config.blockQ
           << " is not a multiple of 16 between 16 and 256 (16 queries a "
              "warp)";
  config.warps = config.blockQ / kM;
  auto bytes = [&](int64_t blockK) {
    return 2 * blockK * (pr.n + kRowPad + pr.p + kRowPad) * 2;
  };
  if (options.attentionBlockK) {
    config.blockK = options.attentionBlockK;
    if (config.blockK % kK || config.blockK < kK)
      return emitError(b.getLoc()) << "attention-block-k=" << config.blockK
                                   << " is not a positive multiple of 16";
    if (bytes(config.blockK) > kStaticSharedBytes)
      return emitError(b.getLoc())
             << "attention-block-k=" << config.blockK << " needs "
             << bytes(config.blockK) << " bytes of shared memory for n=" << pr.n
             << ", p=" << pr.p << " (at most " << kStaticSharedBytes << ")";
    return config;
  }
  config.blockK = kDefaultBlockK;
  while (config.blockK > kK && bytes(config.blockK) > kStaticSharedBytes)
    config.blockK /= 2;
  return config;
}

/// The kernel's body, built inside the launch.
class MMAKernel {
public:
  MMAKernel(ImplicitLocOpBuilder &b, const Problem &pr, const Config &config)
      : b(b), pr(pr), buf(pr.buffers), bq(config.blockQ), bk(config.blockK),
        threads(config.warps * kLanes) {}
  void build(gpu::LaunchOp launch, Value sK, Value sV);

private:
  /// D = A B + C. `a`: 4 registers, `b0`, `b1`: 2, each a vector<2xT>.
  Acc mma(ArrayRef<Value> a, Value b0, Value b1, const Acc &c);
  /// The 4 registers of an x4 ldmatrix (vector<2xT> each).
  SmallVector<Value, 4> ldmatrix(Value tile, ValueRange indices,
                                 bool transpose);
  /// Two f32 values rounded to a vector<2xT> register.
  Value pack(Value lo, Value hi);
  /// Issues the cp.async copies of key tile `tile` into buffer `tile % 2`
  /// and commits them as one group.
  void prefetch(Value tile);
  /// Waits until at most `pending` of the thread's cp.async groups are in
  /// flight.
  void waitGroups(int64_t pending);
  void asyncPTX(StringRef ptx);
  /// One key tile (`masked`: with the masks) on the loop-carried state
  /// (O fragments, then m and l per row for softmax); returns the new state.
  SmallVector<Value> computeTile(Value tile, ValueRange state, bool masked);
  SmallVector<Value> tileBody(Value tile, ValueRange state, bool masked);
  /// Replaces `o` by the results of an scf.if on `cond` whose branches run
  /// `thenBody` and `elseBody`, each updating `o` from its value before.
  void ifOnO(SmallVector<Acc> &o, Value cond, function_ref<void()> thenBody,
             function_ref<void()> elseBody);
  /// Whether any of the 16 V rows from `row` of buffer `slot` holds a NaN or
  /// Inf (warp-uniform: a vote over the warp).
  Value anyNonFiniteV(Value slot, Value row);
  /// O += P V for the 16 keys from `stepKey0` (tile row `row`) without
  /// mma.sync: each thread adds the terms of its C entries whose key its row
  /// sees (key <= row), so masked keys' V never enters. `a`: P's A fragment.
  void selectStep(SmallVector<Acc> &o, ArrayRef<Value> a, Value slot, Value row,
                  Value stepKey0);

  ImplicitLocOpBuilder &b;
  const Problem &pr;
  const AttentionBuffers &buf;
  int64_t bq, bk, threads;
  bool softmax = false, causal = false;
  Type f32;
  Value sK, sV;
  Value tid, lane, gid, tig, batch, head, hk, hv;
  /// First row of the block and of the warp; the warp's two rows; the last
  /// key tile and the keys the copies may read (min(s, nTiles BK)).
  Value q0, warpRow0, rows[2], nTiles, keyLimit;
  /// Lane parts of the ldmatrix addresses (see the file comment).
  Value kRowLane, kColLane, vRowLane, vColLane;
  /// The warp's Q fragments, n / 16 of 4 registers.
  SmallVector<SmallVector<Value, 4>> qFrag;
  Value scoreScale, negInf, zero;
  int64_t oTiles = 0;
};

Acc MMAKernel::mma(ArrayRef<Value> a, Value b0, Value b1, const Acc &c) {
  Type t = pr.element;
  if (t.isF16()) {
    // nvgpu.mma.sync: A vector<4x2xf16> (row r = reg r), B vector<2x2xf16>,
    // C vector<2x2xf32> (row 0 = c0, c1).
    auto zeros = [&](VectorType type) -> Value {
      return arith::ConstantOp::create(
          b, DenseElementsAttr::get(type, b.getZeroAttr(t)));
    };
    Value av = zeros(VectorType::get({4, 2}, t));
    for (int64_t r = 0; r < 4; ++r)
      av = vector::InsertOp::create(b, a[r], av, r);
    Value bv = zeros(VectorType::get({2, 2}, t));
    bv = vector::InsertOp::create(b, b0, bv, 0);
    bv = vector::InsertOp::create(b, b1, bv, 1);
    Value cv = vector::FromElementsOp::create(b, VectorType::get({2, 2}, f32),
                                              ValueRange(c));
    Value d =
        nvgpu::MmaSyncOp::create(b, av, bv, cv, ArrayRef<int64_t>{kM, kN, kK});
    Acc out;
    for (int64_t e = 0; e < 4; ++e)
      out[e] = vector::ExtractOp::create(b, d, ArrayRef<int64_t>{e / 2, e % 2});
    return out;
  }
  // bf16: MLIR 22's nvgpu.mma.sync cannot lower bf16 (fixed upstream after
  // 22); nvvm.mma.sync takes each register as an i32 of 2 bf16.
  auto word = [&](Value pair) -> Value {
    Value w = vector::BitCastOp::create(b, VectorType::get({1}, b.getI32Type()),
                                        pair);
    return vector::ExtractOp::create(b, w, ArrayRef<int64_t>{0});
  };
  SmallVector<Value> aw, bw = {word(b0), word(b1)};
  for (Value r : a)
    aw.push_back(word(r));
  auto result = LLVM::LLVMStructType::getLiteral(b.getContext(),
                                                 SmallVector<Type>(4, f32));
  Value d = NVVM::MmaOp::create(
      b, result, aw, bw, ValueRange(c), ArrayRef<int64_t>{kM, kN, kK},
      std::nullopt, std::nullopt,
      std::array<NVVM::MMATypes, 2>{NVVM::MMATypes::bf16, NVVM::MMATypes::bf16},
      std::array<NVVM::MMALayout, 2>{NVVM::MMALayout::row,
                                     NVVM::MMALayout::col});
  Acc out;
  for (int64_t e = 0; e < 4; ++e)
    out[e] = LLVM::ExtractValueOp::create(b, d, ArrayRef<int64_t>{e});
  return out;
}

SmallVector<Value, 4> MMAKernel::ldmatrix(Value tile, ValueRange indices,
                                          bool transpose) {
  Type t = pr.element;
  Value m = nvgpu::LdMatrixOp::create(b, VectorType::get({4, 2}, t), tile,
                                      indices, transpose, /*numTiles=*/4);
  SmallVector<Value, 4> regs;
  for (int64_t r = 0; r < 4; ++r)
    regs.push_back(vector::ExtractOp::create(b, m, ArrayRef<int64_t>{r}));
  return regs;
}

Value MMAKernel::pack(Value lo, Value hi) {
  Value pair = vector::FromElementsOp::create(b, VectorType::get({2}, f32),
                                              ValueRange{lo, hi});
  return arith::TruncFOp::create(b, VectorType::get({2}, pr.element), pair);
}

// cp.async's commit and wait as inline PTX: nvgpu's (and nvvm's) ops for
// them declare no memory effects, which the bufferization stage's buffer
// deallocation refuses inside a gpu.launch body; llvm.inline_asm declares
// its effects. The "memory" clobber keeps shared-memory reads after the
// wait.
void MMAKernel::asyncPTX(StringRef ptx) {
  LLVM::InlineAsmOp::create(
      b, /*res=*/Type(), ValueRange{}, b.getStringAttr(ptx),
      b.getStringAttr("~{memory}"), b.getUnitAttr(), /*is_align_stack=*/{},
      LLVM::TailCallKindAttr::get(b.getContext(), LLVM::TailCallKind::None),
      /*asm_dialect=*/{}, /*operand_attrs=*/{});
}

void MMAKernel::waitGroups(int64_t pending) {
  asyncPTX(("cp.async.wait_group " + Twine(pending) + ";").str());
}

void MMAKernel::prefetch(Value tile) {
  auto tokenType = nvgpu::DeviceAsyncTokenType::get(b.getContext());
  Value key0 = muli(b, tile, indexConst(b, bk));
  Value slot = arith::RemUIOp::create(b, tile, indexConst(b, 2));
  // The last row a copy may address: rows past s are zero-filled (no bytes
  // read), but their address is kept inside the buffer.
  Value lastRow = arith::SubIOp::create(
      b, arith::MaxUIOp::create(b, pr.src, indexConst(b, 1)), indexConst(b, 1));
  auto copyTile = [&](Value shared, Value global, Value globalHead,
                      int64_t dim) {
    int64_t perRow = dim / kCopyElements, chunks = bk * perRow;
    for (int64_t first = 0; first < chunks; first += threads) {
      Value chunk = addi(b, tid, indexConst(b, first));
      OpBuilder::InsertionGuard guard(b);
      if (first + threads > chunks) {
        auto inRange = scf::IfOp::create(
            b, ult(b, chunk, indexConst(b, chunks)), /*withElseRegion=*/false);
        b.setInsertionPoint(inRange.thenBlock()->getTerminator());
      }
      Value row = arith::DivUIOp::create(b, chunk, indexConst(b, perRow));
      Value col =
          muli(b, arith::RemUIOp::create(b, chunk, indexConst(b, perRow)),
               indexConst(b, kCopyElements));
      Value key = addi(b, key0, row);
      Value count = arith::SelectOp::create(b, ult(b, key, keyLimit),
                                            indexConst(b, kCopyElements),
                                            indexConst(b, 0));
      nvgpu::DeviceAsyncCopyOp::create(
          b, tokenType, shared, ValueRange{slot, row, col}, global,
          ValueRange{batch, minui(b, key, lastRow), globalHead, col},
          b.getIndexAttr(kCopyElements), count, b.getUnitAttr());
    }
  };
  copyTile(sK, buf.k, hk, pr.n);
  copyTile(sV, buf.v, hv, pr.p);
  asyncPTX("cp.async.commit_group;");
}

SmallVector<Value> MMAKernel::computeTile(Value tile, ValueRange state,
                                          bool masked) {
  int64_t keyGroups = bk / kN;
  Value key0 = muli(b, tile, indexConst(b, bk));
  Value slot = arith::RemUIOp::create(b, tile, indexConst(b, 2));
  Value warpLast = addi(b, warpRow0, indexConst(b, kM - 1));

  // S = Q K^T: keyGroups accumulators of 16 rows x 8 keys.
  SmallVector<Acc> s(keyGroups, Acc{zero, zero, zero, zero});
  for (int64_t kk = 0; kk < pr.n / kK; ++kk) {
    Value col = addi(b, kColLane, indexConst(b, kk * kK));
    for (int64_t g = 0; g < keyGroups; g += 2) {
      Value row = addi(b, kRowLane, indexConst(b, g * kN));
      SmallVector<Value, 4> k = ldmatrix(sK, {slot, row, col}, false);
      s[g] = mma(qFrag[kk], k[0], k[1], s[g]);
      s[g + 1] = mma(qFrag[kk], k[2], k[3], s[g + 1]);
    }
  }

  // Scores, masked by select: element e of key group g is (row rows[e / 2],
  // key key0 + 8 g + 2 tig + e % 2).
  Value fill = softmax ? negInf : zero;
  Value keyLane = addi(b, key0, muli(b, tig, indexConst(b, 2)));
  for (int64_t g = 0; g < keyGroups; ++g)
    for (int64_t e = 0; e < 4; ++e) {
      Value x = arith::MulFOp::create(b, s[g][e], scoreScale);
      if (masked) {
        Value key = addi(b, keyLane, indexConst(b, g * kN + e % 2));
        Value visible = ult(b, key, pr.src);
        if (causal)
          visible = arith::AndIOp::create(
              b, visible,
              arith::CmpIOp::create(b, arith::CmpIPredicate::ule, key,
                                    rows[e / 2]));
        x = arith::SelectOp::create(b, visible, x, fill);
      }
      s[g][e] = x;
    }

  SmallVector<Acc> o(oTiles);
  for (int64_t d = 0; d < oTiles; ++d)
    for (int64_t e = 0; e < 4; ++e)
      o[d][e] = state[4 * d + e];
  SmallVector<Value> next;
  if (softmax) {
    Value m[2], l[2], corr[2], shift[2];
    for (int64_t r = 0; r < 2; ++r) {
      m[r] = state[4 * oTiles + r];
      l[r] = state[4 * oTiles + 2 + r];
      Value tileMax = negInf;
      for (int64_t g = 0; g < keyGroups; ++g)
        for (int64_t e = 2 * r; e < 2 * r + 2; ++e)
          tileMax = arith::MaximumFOp::create(b, tileMax, s[g][e]);
      // The row is spread over the 4 lanes of a quad.
      tileMax = butterfly(b, tileMax, 4, /*add=*/false);
      Value mNew = arith::MaximumFOp::create(b, m[r], tileMax);
      // A row with no visible key so far keeps m = -inf; shift by 0 then,
      // so that exp2(-inf - -inf) is never formed.
      shift[r] = arith::SelectOp::create(
          b, arith::CmpFOp::create(b, arith::CmpFPredicate::OEQ, mNew, negInf),
          zero, mNew);
      corr[r] =
          math::Exp2Op::create(b, arith::SubFOp::create(b, m[r], shift[r]));
      m[r] = mNew;
    }
    Value sum[2] = {zero, zero};
    for (int64_t g = 0; g < keyGroups; ++g)
      for (int64_t e = 0; e < 4; ++e) {
        s[g][e] = math::Exp2Op::create(
            b, arith::SubFOp::create(b, s[g][e], shift[e / 2]));
        sum[e / 2] = arith::AddFOp::create(b, sum[e / 2], s[g][e]);
      }
    for (int64_t r = 0; r < 2; ++r)
      l[r] = arith::AddFOp::create(b, arith::MulFOp::create(b, l[r], corr[r]),
                                   sum[r]);
    for (int64_t d = 0; d < oTiles; ++d)
      for (int64_t e = 0; e < 4; ++e)
        o[d][e] = arith::MulFOp::create(b, o[d][e], corr[e / 2]);
    next.assign({m[0], m[1], l[0], l[1]});
  }

  // O += P V, a k-step of 16 keys at a time; P's C fragments are the A
  // fragment (see the file comment).
  auto row0Of = [&](int64_t ks) { return indexConst(b, ks * kK); };
  for (int64_t ks = 0; ks < bk / kK; ++ks) {
    SmallVector<Value, 4> a = {pack(s[2 * ks][0], s[2 * ks][1]),
                               pack(s[2 * ks][2], s[2 * ks][3]),
                               pack(s[2 * ks + 1][0], s[2 * ks + 1][1]),
                               pack(s[2 * ks + 1][2], s[2 * ks + 1][3])};
    Value row = addi(b, vRowLane, indexConst(b, ks * kK));
    auto emitStep = [&](ImplicitLocOpBuilder &) {
      for (int64_t d = 0; d < oTiles; d += 2) {
        Value col = addi(b, vColLane, indexConst(b, d * kN));
        SmallVector<Value, 4> v = ldmatrix(sV, {slot, row, col}, true);
        o[d] = mma(a, v[0], v[1], o[d]);
        o[d + 1] = mma(a, v[2], v[3], o[d + 1]);
      }
    };
    if (!masked || !causal) {
      // Keys past s have V = 0 (zero-filled copies) and weight 0.
      emitStep(b);
      continue;
    }
    // Causal: a step whose keys all lie past the warp's last row adds
    // nothing; skip it (warp-uniform). A step crossing the warp's diagonal
    // takes the select-based step where its V rows are not all finite (see
    // the file comment).
    Value stepKey0 = addi(b, key0, indexConst(b, ks * kK));
    auto visibleStep = [&] {
      Value crossing = arith::CmpIOp::create(
          b, arith::CmpIPredicate::ugt,
          addi(b, stepKey0, indexConst(b, kK - 1)), warpRow0);
      auto check = scf::IfOp::create(b, b.getI1Type(), crossing,
                                     /*withElseRegion=*/true);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(check.thenBlock());
        scf::YieldOp::create(b, anyNonFiniteV(slot, row0Of(ks)));
        b.setInsertionPointToStart(check.elseBlock());
        scf::YieldOp::create(
            b, ValueRange{arith::ConstantIntOp::create(b, 0, 1).getResult()});
      }
      ifOnO(
          o, check.getResult(0),
          [&] { selectStep(o, a, slot, row0Of(ks), stepKey0); },
          [&] { emitStep(b); });
    };
    ifOnO(
        o,
        arith::CmpIOp::create(b, arith::CmpIPredicate::ule, stepKey0, warpLast),
        visibleStep, [] {});
  }

  SmallVector<Value> out;
  for (const Acc &acc : o)
    out.append(acc.begin(), acc.end());
  out.append(next);
  return out;
}

void MMAKernel::ifOnO(SmallVector<Acc> &o, Value cond,
                      function_ref<void()> thenBody,
                      function_ref<void()> elseBody) {
  auto flatten = [&] {
    SmallVector<Value> flat;
    for (const Acc &acc : o)
      flat.append(acc.begin(), acc.end());
    return flat;
  };
  SmallVector<Acc> before = o;
  SmallVector<Value> flat = flatten();
  auto op = scf::IfOp::create(b, TypeRange(ValueRange(flat)), cond,
                              /*withElseRegion=*/true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(op.thenBlock());
    thenBody();
    scf::YieldOp::create(b, flatten());
    o = before;
    b.setInsertionPointToStart(op.elseBlock());
    elseBody();
    scf::YieldOp::create(b, flatten());
  }
  for (size_t d = 0; d < o.size(); ++d)
    for (int64_t e = 0; e < 4; ++e)
      o[d][e] = op.getResult(4 * d + e);
}

Value MMAKernel::anyNonFiniteV(Value slot, Value row) {
  // A 16-bit float is NaN or Inf iff its exponent bits are all ones, i.e.
  // iff (x & expMask) + expLow carries into bit 15; two per 32-bit word, the
  // carries of the halves never meet.
  int64_t mantissa = llvm::APFloat::semanticsPrecision(
                         cast<FloatType>(pr.element).getFloatSemantics()) -
                     1;
  int64_t expMask = 0x7fff & ~((int64_t(1) << mantissa) - 1);
  int64_t expLow = int64_t(1) << mantissa;
  Type i32 = b.getI32Type();
  auto words = VectorType::get({kCopyElements / 2}, i32);
  auto splat = [&](int64_t half) -> Value {
    return arith::ConstantOp::create(
        b, DenseElementsAttr::get(
               words, b.getI32IntegerAttr(int32_t(half | (half << 16)))));
  };
  Value mask = splat(expMask), low = splat(expLow);
  // The step's 16 x p tile in 16-byte chunks, p / 16 a lane (p is a multiple
  // of 16): chunk c = lane + 32 i is row c / (p / 8), cols 8 (c % (p / 8)).
  int64_t perRow = pr.p / kCopyElements, perLane = kK * perRow / kLanes;
  Value acc = splat(0);
  for (int64_t i = 0; i < perLane; ++i) {
    Value chunk = addi(b, lane, indexConst(b, i * kLanes));
    Value r =
        addi(b, row, arith::DivUIOp::create(b, chunk, indexConst(b, perRow)));
    Value col = muli(b, arith::RemUIOp::create(b, chunk, indexConst(b, perRow)),
                     indexConst(b, kCopyElements));
    Value x = vector::LoadOp::create(
        b, VectorType::get({kCopyElements}, pr.element), sV,
        ValueRange{slot, r, col}, /*nontemporal=*/false, llvm::Align(16));
    x = vector::BitCastOp::create(b, words, x);
    x = arith::AddIOp::create(b, arith::AndIOp::create(b, x, mask), low);
    acc = arith::OrIOp::create(b, acc, x);
  }
  Value any = vector::ReductionOp::create(b, vector::CombiningKind::OR, acc);
  any = arith::AndIOp::create(
      b, any, arith::ConstantIntOp::create(b, i32, int32_t(0x80008000)));
  Value mine = arith::CmpIOp::create(b, arith::CmpIPredicate::ne, any,
                                     arith::ConstantIntOp::create(b, i32, 0));
  return NVVM::VoteSyncOp::create(b, b.getI1Type(),
                                  arith::ConstantIntOp::create(b, i32, -1),
                                  mine, NVVM::VoteSyncKind::any);
}

void MMAKernel::selectStep(SmallVector<Acc> &o, ArrayRef<Value> a, Value slot,
                           Value row, Value stepKey0) {
  // A loop over the 16 keys, O carried: unrolled, the weights and V loads of
  // every key would be live at once (168 registers instead of 128).
  SmallVector<Value> flat;
  for (const Acc &acc : o)
    flat.append(acc.begin(), acc.end());
  auto loop = scf::ForOp::create(b, indexConst(b, 0), indexConst(b, kK),
                                 indexConst(b, 1), flat);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(loop.getBody());
  Value c = loop.getInductionVar();
  for (size_t d = 0; d < o.size(); ++d)
    for (int64_t e = 0; e < 4; ++e)
      o[d][e] = loop.getRegionIterArgs()[4 * d + e];

  // Key c's weight for row gid + 8 r: quad lane t = (c % 8) / 2 holds it in
  // a[r] (c < 8) or a[2 + r] (c >= 8), element c % 2.
  Type i32 = b.getI32Type();
  auto pairType = VectorType::get({2}, pr.element);
  auto wordType = VectorType::get({1}, i32);
  auto toI32 = [&](Value x) -> Value {
    return arith::IndexCastOp::create(b, i32, x);
  };
  auto word = [&](Value pair) -> Value {
    return vector::ExtractOp::create(
        b, vector::BitCastOp::create(b, wordType, pair), ArrayRef<int64_t>{0});
  };
  Value high =
      arith::CmpIOp::create(b, arith::CmpIPredicate::uge, c, indexConst(b, kN));
  Value odd = arith::CmpIOp::create(
      b, arith::CmpIPredicate::ne,
      arith::RemUIOp::create(b, c, indexConst(b, 2)), indexConst(b, 0));
  Value source = toI32(addi(
      b, arith::SubIOp::create(b, lane, tig),
      arith::DivUIOp::create(b, arith::RemUIOp::create(b, c, indexConst(b, kN)),
                             indexConst(b, 2))));
  Value width = arith::ConstantIntOp::create(b, i32, kLanes);
  Value key = addi(b, stepKey0, c);
  Value weight[2], sees[2];
  for (int64_t r = 0; r < 2; ++r) {
    Value mine = arith::SelectOp::create(b, high, word(a[2 + r]), word(a[r]));
    Value got =
        gpu::ShuffleOp::create(b, mine, source, width, gpu::ShuffleMode::IDX)
            .getShuffleResult();
    Value pair = vector::BitCastOp::create(
        b, pairType, vector::BroadcastOp::create(b, wordType, got));
    weight[r] = castFloat(
        b,
        arith::SelectOp::create(
            b, odd, vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{1}),
            vector::ExtractOp::create(b, pair, ArrayRef<int64_t>{0})),
        f32);
    // Causal means s = t, so a key past s is past every stored row and
    // key <= row is the whole mask.
    sees[r] = arith::CmpIOp::create(b, arith::CmpIPredicate::ule, key, rows[r]);
  }

  // The thread's C entries: o[d][2 r + e] is (row gid + 8 r, col 8 d +
  // 2 tig + e).
  Value colLane = muli(b, tig, indexConst(b, 2));
  Value vRow = addi(b, row, c);
  for (int64_t d = 0; d < oTiles; ++d) {
    Value col = addi(b, colLane, indexConst(b, d * kN));
    Value v =
        vector::LoadOp::create(b, pairType, sV, ValueRange{slot, vRow, col},
                               /*nontemporal=*/false, llvm::Align(4));
    for (int64_t e = 0; e < 2; ++e) {
      Value ve = castFloat(
          b, vector::ExtractOp::create(b, v, ArrayRef<int64_t>{e}), f32);
      for (int64_t r = 0; r < 2; ++r) {
        Value &acc = o[d][2 * r + e];
        acc = arith::SelectOp::create(
            b, sees[r], math::FmaOp::create(b, weight[r], ve, acc), acc);
      }
    }
  }
  flat.clear();
  for (const Acc &acc : o)
    flat.append(acc.begin(), acc.end());
  scf::YieldOp::create(b, flat);
  for (size_t d = 0; d < o.size(); ++d)
    for (int64_t e = 0; e < 4; ++e)
      o[d][e] = loop.getResult(4 * d + e);
}

SmallVector<Value> MMAKernel::tileBody(Value tile, ValueRange state,
                                       bool masked) {
  // Tile kt + 1 loads into the other buffer while tile kt computes.
  prefetch(addi(b, tile, indexConst(b, 1)));
  waitGroups(1);
  gpu::BarrierOp::create(b);
  SmallVector<Value> next;
  if (masked && causal) {
    // A warp none of whose rows sees a key of the tile skips it.
    auto run = scf::IfOp::create(
        b, state.getTypes(),
        arith::CmpIOp::create(b, arith::CmpIPredicate::ule,
                              muli(b, tile, indexConst(b, bk)),
                              addi(b, warpRow0, indexConst(b, kM - 1))),
        /*withElseRegion=*/true);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(run.thenBlock());
    scf::YieldOp::create(b, computeTile(tile, state, masked));
    b.setInsertionPointToStart(run.elseBlock());
    scf::YieldOp::create(b, state);
    next = SmallVector<Value>(run.getResults());
  } else {
    next = computeTile(tile, state, masked);
  }
  // Every warp is done with this buffer before it is refilled.
  gpu::BarrierOp::create(b);
  return next;
}

void MMAKernel::build(gpu::LaunchOp launch, Value sKTile, Value sVTile) {
  sK = sKTile;
  sV = sVTile;
  f32 = b.getF32Type();
  softmax = buf.kernel == Kernel::Softmax;
  causal = getMaskTraits(buf.mask).causal;
  oTiles = pr.p / kN;
  zero = floatConst(b, f32, 0.0);
  negInf = floatConst(b, f32, -std::numeric_limits<double>::infinity());
  scoreScale =
      floatConst(b, f32, buf.scale * (softmax ? 1.0 / std::log(2.0) : 1.0));

  tid = launch.getThreadIds().x;
  Value warp = arith::DivUIOp::create(b, tid, indexConst(b, kLanes));
  lane = arith::RemUIOp::create(b, tid, indexConst(b, kLanes));
  gid = arith::DivUIOp::create(b, lane, indexConst(b, 4));
  tig = arith::RemUIOp::create(b, lane, indexConst(b, 4));
  batch = launch.getBlockIds().z;
  head = launch.getBlockIds().y;
  auto headOf = [&](int64_t count) -> Value {
    return arith::DivUIOp::create(b, head, indexConst(b, pr.heads / count));
  };
  Value hq = headOf(pr.hq);
  hk = headOf(pr.hk);
  hv = headOf(pr.hv);
  Value tileIndex = arith::SubIOp::create(
      b, arith::SubIOp::create(b, launch.getGridSize().x, indexConst(b, 1)),
      launch.getBlockIds().x);
  q0 = muli(b, tileIndex, indexConst(b, bq));
  warpRow0 = addi(b, q0, muli(b, warp, indexConst(b, kM)));
  rows[0] = addi(b, warpRow0, gid);
  rows[1] = addi(b, rows[0], indexConst(b, 8));

  // ldmatrix lane addresses (file comment): K x4 matrices m = lane / 8 are
  // (key group + m / 2, dims + 8 (m % 2)); V x4.trans matrices are (keys +
  // 8 (m % 2), dim group + m / 2).
  Value lane8 = arith::RemUIOp::create(b, lane, indexConst(b, 8));
  Value half = muli(b,
                    arith::RemUIOp::create(
                        b, arith::DivUIOp::create(b, lane, indexConst(b, 8)),
                        indexConst(b, 2)),
                    indexConst(b, 8));
  Value pair = muli(b, arith::DivUIOp::create(b, lane, indexConst(b, 16)),
                    indexConst(b, 8));
  kRowLane = addi(b, pair, lane8);
  kColLane = half;
  vRowLane = addi(b, half, lane8);
  vColLane = pair;

  // Keys: causal rows see keys < min(s, q0 + BQ); tiles [0, nFull) are
  // visible to every row of the block.
  Value kvEnd = pr.src;
  Value fullEnd = pr.src;
  if (causal) {
    kvEnd = minui(b, pr.src, addi(b, q0, indexConst(b, bq)));
    fullEnd = addi(b, q0, indexConst(b, 1));
  }
  nTiles = ceilDiv(b, kvEnd, bk);
  Value nFull =
      minui(b, arith::DivUIOp::create(b, fullEnd, indexConst(b, bk)), nTiles);
  keyLimit = minui(b, pr.src, muli(b, nTiles, indexConst(b, bk)));

  // The first tile's copies go out before Q is read.
  prefetch(indexConst(b, 0));

  // Q fragments straight from global memory (rows past t clamped: computed,
  // never stored).
  Value lastQ = arith::SubIOp::create(b, pr.len, indexConst(b, 1));
  Value qRows[2] = {minui(b, rows[0], lastQ), minui(b, rows[1], lastQ)};
  Value colLane = muli(b, tig, indexConst(b, 2));
  auto pairType = VectorType::get({2}, pr.element);
  for (int64_t kk = 0; kk < pr.n / kK; ++kk) {
    SmallVector<Value, 4> frag;
    for (int64_t r = 0; r < 4; ++r) {
      Value col = addi(b, colLane, indexConst(b, kk * kK + 8 * (r / 2)));
      frag.push_back(vector::LoadOp::create(
          b, pairType, buf.q, ValueRange{batch, qRows[r % 2], hq, col},
          /*nontemporal=*/false, llvm::Align(4)));
    }
    qFrag.push_back(frag);
  }

  SmallVector<Value> init(4 * oTiles, zero);
  if (softmax)
    init.append({negInf, negInf, zero, zero});
  auto loopOver = [&](Value lower, Value upper, ValueRange start, bool masked) {
    auto loop = scf::ForOp::create(b, lower, upper, indexConst(b, 1), start);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    scf::YieldOp::create(
        b, tileBody(loop.getInductionVar(), loop.getRegionIterArgs(), masked));
    return SmallVector<Value>(loop.getResults());
  };
  SmallVector<Value> state = loopOver(indexConst(b, 0), nFull, init, false);
  state = loopOver(nFull, nTiles, state, true);
  // No copy may be in flight when the block exits.
  waitGroups(0);

  Value inverse[2];
  if (softmax)
    for (int64_t r = 0; r < 2; ++r)
      inverse[r] = normalizer(
          b, butterfly(b, state[4 * oTiles + 2 + r], 4, /*add=*/true));
  for (int64_t r = 0; r < 2; ++r) {
    auto inside = scf::IfOp::create(b, ult(b, rows[r], pr.len),
                                    /*withElseRegion=*/false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPoint(inside.thenBlock()->getTerminator());
    for (int64_t d = 0; d < oTiles; ++d) {
      Value lo = state[4 * d + 2 * r], hi = state[4 * d + 2 * r + 1];
      if (softmax) {
        lo = arith::MulFOp::create(b, lo, inverse[r]);
        hi = arith::MulFOp::create(b, hi, inverse[r]);
      }
      Value col = addi(b, colLane, indexConst(b, d * kN));
      vector::StoreOp::create(b, pack(lo, hi), buf.y,
                              ValueRange{batch, rows[r], head, col},
                              /*nontemporal=*/false, llvm::Align(4));
    }
  }
}

} // namespace

LogicalResult attention::emitMMAKernel(ImplicitLocOpBuilder &b,
                                       const Problem &problem,
                                       const GPUKernelOptions &options) {
  FailureOr<Config> config = chooseConfig(b, problem, options);
  if (failed(config))
    return failure();
  auto workgroup =
      gpu::AddressSpaceAttr::get(b.getContext(), gpu::AddressSpace::Workgroup);
  auto tileType = [&](int64_t dim) {
    return MemRefType::get({2, config->blockK, dim + kRowPad}, problem.element,
                           MemRefLayoutAttrInterface(), workgroup);
  };
  Value one = indexConst(b, 1);
  auto launch = gpu::LaunchOp::create(
      b, ceilDiv(b, problem.len, config->blockQ), indexConst(b, problem.heads),
      problem.batch, indexConst(b, config->warps * kLanes), one, one,
      /*dynamicSharedMemorySize=*/nullptr, /*asyncTokenType=*/nullptr,
      /*asyncDependencies=*/{},
      TypeRange{tileType(problem.n), tileType(problem.p)});
  OpBuilder::InsertionGuard guard(b);
  Block &body = launch.getBody().front();
  b.setInsertionPointToStart(&body);
  ArrayRef<BlockArgument> tiles = launch.getWorkgroupAttributions();
  MMAKernel(b, problem, *config).build(launch, tiles[0], tiles[1]);
  b.setInsertionPointToEnd(&body);
  gpu::TerminatorOp::create(b);
  return success();
}
