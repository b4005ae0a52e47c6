//===- Pipelines.h - interact's registered pass pipelines -------*- C++ -*-===//
//
// The whole paths from interact IR to the LLVM dialect. interact-opt, the
// plugin, interact-run and embedding compilers all build them through these
// functions.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_PIPELINES_PIPELINES_H
#define INTERACT_PIPELINES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlir::interact {

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<bool> reference{
      *this, "reference",
      llvm::cl::desc("Lower interact ops by their plain float64 definitions "
                     "(the differential-testing reference)"),
      llvm::cl::init(false)};
  PassOptions::Option<bool> selectForm{
      *this, "select-form",
      llvm::cl::desc("First choose each op's form with interact-select-form"),
      llvm::cl::init(false)};
  PassOptions::Option<int64_t> seqLenHint{
      *this, "seq-len",
      llvm::cl::desc("Sequence length form selection assumes where it is "
                     "dynamic"),
      llvm::cl::init(4096)};
};

/// Builds `interact-cpu-pipeline`: optionally form selection, then interact
/// ops to linalg/tensor/scf,
/// One-Shot Bufferize across function boundaries, buffer deallocation, loops,
/// and the LLVM dialect. Runs on a builtin.module.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

/// Registers the pipelines above with the global pass registry.
void registerPipelines();

} // namespace mlir::interact

#endif // INTERACT_PIPELINES_PIPELINES_H
