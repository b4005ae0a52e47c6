//===- Pipelines.cpp - interact's registered pass pipelines ---------------===//

#include "interact/Pipelines/Pipelines.h"

#include "interact/Conversion/Passes.h"
#include "interact/Dialect/Interact/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::interact::buildCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &options) {
  if (options.selectForm) {
    SelectFormPassOptions select;
    select.seqLenHint = options.seqLenHint;
    pm.addPass(createSelectFormPass(select));
  }
  ConvertInteractToLinalgPassOptions lowering;
  lowering.reference = options.reference;
  pm.addPass(createConvertInteractToLinalgPass(lowering));
  // f32 exponentials as vector arithmetic, not one expf call per lane.
  pm.addPass(createApproximateExpPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());

  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());

  // scf.forall (the parallel recurrence) runs on OpenMP threads.
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  pm.addPass(createConvertSCFToOpenMPPass());
  // Inlines the memref.alloca_scope the conversion wraps around loop bodies
  // that allocate nothing on the stack.
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToLoopsPass());
  pm.addNestedPass<func::FuncOp>(createConvertVectorToSCFPass());
  // bf16 conversions become integer arithmetic: no runtime library needed.
  arith::ArithExpandOpsPassOptions expand;
  expand.includeBf16 = true;
  pm.addPass(arith::createArithExpandOpsPass(expand));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  pm.addPass(createLowerAffinePass());
  // Horizontal sums may reassociate: they are dot products of one row.
  ConvertVectorToLLVMPassOptions vectorToLLVM;
  vectorToLLVM.reassociateFPReductions = true;
  // Transposes in registers (the chunked form packs B^T) by AVX-512
  // shuffles of 16 x 16 blocks rather than element by element.
  vectorToLLVM.vectorTransposeLowering =
      vector::VectorTransposeLowering::Shuffle16x16;
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::interact::registerPipelines() {
  PassPipelineRegistration<CPUPipelineOptions>(
      "interact-cpu-pipeline",
      "Lower interact IR (and the upstream tensor IR around it) to the LLVM "
      "dialect for the CPU",
      buildCPUPipeline);
}
