//===- Attention.cpp - Flash attention as a GPU kernel --------------------===//

#include "interact/Conversion/InteractToGPU/InteractToGPU.h"

using namespace mlir;
using namespace mlir::interact;

LogicalResult mlir::interact::emitAttentionKernel(
    OpBuilder &builder, Location loc, const AttentionBuffers &buffers,
    const GPUKernelOptions &options) {
  (void)builder, (void)buffers, (void)options;
  return emitError(loc) << "the GPU attention kernel is not written yet";
}
