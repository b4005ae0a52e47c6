//===- GpuSubgroupReduceToShuffles.cpp - Warp reductions as shuffles ------===//
//
// gpu.subgroup_reduce into gpu.shuffle butterflies over a 32-lane warp, with
// upstream's patterns: convert-gpu-to-nvvm lowers no f32 subgroup reduction
// in MLIR 22.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

#define DEBUG_TYPE "interact-gpu-subgroup-reduce-to-shuffles"

namespace mlir::interact {
#define GEN_PASS_DEF_GPUSUBGROUPREDUCETOSHUFFLESPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;

namespace {

/// Lanes of an NVIDIA warp, and the bits one shuffle moves.
constexpr unsigned kWarpSize = 32;
constexpr unsigned kShuffleBits = 32;

struct GpuSubgroupReduceToShufflesPass
    : public interact::impl::GpuSubgroupReduceToShufflesPassBase<
          GpuSubgroupReduceToShufflesPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    populateGpuBreakDownSubgroupReducePatterns(patterns, kShuffleBits);
    populateGpuLowerSubgroupReduceToShufflePatterns(patterns, kWarpSize,
                                                    kShuffleBits);
    populateGpuLowerClusteredSubgroupReduceToShufflePatterns(
        patterns, kWarpSize, kShuffleBits);
    if (failed(applyPatternsGreedily(getOperation(), std::move(patterns))))
      return signalPassFailure();
  }
};

} // namespace
