//===- Scan.cpp - The recurrent scan as a GPU kernel ----------------------===//

#include "interact/Conversion/InteractToGPU/InteractToGPU.h"

using namespace mlir;
using namespace mlir::interact;

LogicalResult mlir::interact::emitScanKernel(OpBuilder &builder, Location loc,
                                             const ScanBuffers &buffers,
                                             const GPUKernelOptions &options) {
  (void)builder, (void)buffers, (void)options;
  return emitError(loc) << "the GPU scan kernel is not written yet";
}
