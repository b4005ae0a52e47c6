//===- InitAll.cpp - Register everything interact provides ----------------===//

#include "interact/InitAll.h"

#include "interact/Conversion/GpuDeviceBuffers/GpuDeviceBuffers.h"
#include "interact/Conversion/Passes.h"
#include "interact/Dialect/Interact/IR/InteractDialect.h"
#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/Pipelines/Pipelines.h"

#include "mlir/IR/DialectRegistry.h"

void mlir::interact::registerAllDialects(DialectRegistry &registry) {
  registry.insert<InteractDialect>();
  registerGpuLaunchFuncEffects(registry);
}

void mlir::interact::registerAllPasses() {
  registerInteractPasses();
  registerInteractConversionPasses();
  registerPipelines();
}
