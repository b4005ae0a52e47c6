//===- LowerTransposes.cpp - Transposes by the target's shuffles ----------===//
//
// The CPU kernels transpose blocks of one register square in registers
// (kernels::transposeBlock): 16 x 16 f32 on AVX-512, 8 x 8 on AVX2. Upstream
// lowers a 16 x 16 f32 transpose by AVX-512 shuffles (Shuffle16x16) and an
// 8 x 8 or 4 x 8 one by AVX2's unpack/shuffle/permute sequence (x86vector's
// specialized patterns); any other transpose element by element. This pass
// applies the sequence the module's target has, before vector-to-llvm.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/Passes.h"

#include "interact/Kernels/RegisterTile.h"
#include "interact/Target/Target.h"

#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
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
      auto options = x86vector::avx2::LoweringOptions().setTransposeOptions(
          x86vector::avx2::TransposeLoweringOptions()
              .lower4x8xf32()
              .lower8x8xf32());
      x86vector::avx2::populateSpecializedTransposeLoweringPatterns(patterns,
                                                                    options);
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
