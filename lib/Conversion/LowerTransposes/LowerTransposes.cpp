//===- LowerTransposes.cpp - Transposes by the target's shuffles ----------===//
//
// The CPU kernels transpose blocks of one register square in registers
// (kernels::transposeBlock): 16 x 16 f32 on AVX-512, 8 x 8 on AVX2. Upstream
// lowers a 16 x 16 f32 transpose by AVX-512 shuffles (Shuffle16x16) and an
// 8 x 8 one here by AVX2's unpack/shuffle/permute sequence (x86vector's
// intrinsic helpers); any other transpose element by element. This pass
// applies the sequence the module's target has, before vector-to-llvm.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/Passes.h"

#include "interact/Kernels/RegisterTile.h"
#include "interact/Target/Target.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Vector/Transforms/LoweringPatterns.h"
#include "mlir/Dialect/X86Vector/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "interact-lower-transposes"

namespace mlir::interact {
#define GEN_PASS_DEF_LOWERTRANSPOSESPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

namespace {

/// An 8 x 8 f32 transpose by AVX2's classic sequence of 24 shuffles of its
/// rows: unpacks of row pairs, in-lane shuffles of those, and permutes of
/// 128-bit lanes (vunpcklps/vunpckhps, vshufps, vperm2f128). (Upstream's
/// specialized pattern blends by inline assembly, which a JIT without an
/// assembly parser cannot emit.)
struct TransposeByAVX2Shuffles : OpRewritePattern<vector::TransposeOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(vector::TransposeOp op,
                                PatternRewriter &rewriter) const override {
    VectorType type = op.getSourceVectorType();
    if (type.getShape() != ArrayRef<int64_t>{8, 8} ||
        !type.getElementType().isF32() ||
        op.getPermutation() != ArrayRef<int64_t>{1, 0})
      return rewriter.notifyMatchFailure(op, "not an 8 x 8 f32 transpose");
    using namespace x86vector::avx2::intrin;
    using x86vector::MaskHelper;
    ImplicitLocOpBuilder b(op.getLoc(), rewriter);
    SmallVector<Value> rows, pairs, columns(8);
    for (int64_t i = 0; i < 8; ++i)
      rows.push_back(vector::ExtractOp::create(b, op.getVector(), i));
    // Rows 2k and 2k + 1 interleaved: elements (0, 1, 4, 5) and (2, 3, 6, 7)
    // of both.
    for (int64_t k = 0; k < 4; ++k) {
      pairs.push_back(mm256UnpackLoPs(b, rows[2 * k], rows[2 * k + 1]));
      pairs.push_back(mm256UnpackHiPs(b, rows[2 * k], rows[2 * k + 1]));
    }
    // Columns c and c + 4 of rows 4h..4h + 3, in the low and high lane.
    SmallVector<Value> halves;
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t k = 0; k < 2; ++k) {
        Value lower = pairs[4 * h + k], upper = pairs[4 * h + 2 + k];
        halves.push_back(
            mm256ShufflePs(b, lower, upper, MaskHelper::shuffle<1, 0, 1, 0>()));
        halves.push_back(
            mm256ShufflePs(b, lower, upper, MaskHelper::shuffle<3, 2, 3, 2>()));
      }
    for (int64_t c = 0; c < 4; ++c) {
      columns[c] = mm256Permute2f128Ps(b, halves[c], halves[4 + c],
                                       MaskHelper::permute<2, 0>());
      columns[c + 4] = mm256Permute2f128Ps(b, halves[c], halves[4 + c],
                                           MaskHelper::permute<3, 1>());
    }
    Value result = arith::ConstantOp::create(b, b.getZeroAttr(type));
    for (int64_t c = 0; c < 8; ++c)
      result = vector::InsertOp::create(b, columns[c], result, c);
    rewriter.replaceOp(op, result);
    return success();
  }
};

struct LowerTransposesPass
    : public interact::impl::LowerTransposesPassBase<LowerTransposesPass> {
  void runOnOperation() override {
    Operation *root = getOperation();
    bool hasTransposes =
        root->walk([](vector::TransposeOp) { return WalkResult::interrupt(); })
            .wasInterrupted();
    if (!hasTransposes)
      return;
    FailureOr<Target> target = getTarget(root);
    if (failed(target))
      return signalPassFailure();
    if (target->kind != TargetKind::CPU)
      return;
    // The block the kernels transpose: one register of f32 square.
    auto config = kernels::KernelConfig::get(*target);
    int64_t block =
        kernels::transposeBlockSize(config, Float32Type::get(&getContext()));
    RewritePatternSet patterns(&getContext());
    if (block == 8) {
      // AVX2: unpacks, shuffles and lane permutes of ymm registers.
      patterns.add<TransposeByAVX2Shuffles>(&getContext());
    } else if (block == 16) {
      // AVX-512: upstream's 16 x 16 shuffle sequence.
      vector::populateVectorTransposeLoweringPatterns(
          patterns, vector::VectorTransposeLowering::Shuffle16x16);
    } else {
      return;
    }
    if (failed(applyPatternsGreedily(root, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
