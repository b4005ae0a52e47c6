//===- Pipelines.cpp - interact's pass pipelines, built from stages -------===//

#include "interact/Pipelines/Pipelines.h"

#include "interact/Conversion/Passes.h"
#include "interact/Dialect/Interact/Transforms/Passes.h"

#include "mlir/Conversion/Passes.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/GPU/Transforms/Passes.h"
#include "mlir/Dialect/LLVMIR/Transforms/Passes.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/Transforms/Passes.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;
using namespace mlir::interact;

//===----------------------------------------------------------------------===//
// Stages
//===----------------------------------------------------------------------===//

void mlir::interact::addTargetStage(OpPassManager &pm,
                                    const TargetStageOptions &options) {
  SetTargetPassOptions setTarget;
  setTarget.targetName = options.name;
  setTarget.kind = options.kind == TargetKind::GPU ? "gpu" : "";
  setTarget.chip = options.chip;
  setTarget.binaryFormat = options.binaryFormat;
  pm.addPass(createSetTargetPass(setTarget));
  switch (options.kind) {
  case TargetKind::CPU:
    // Rejects a GPU target now, located, rather than after the lowering.
    pm.addPass(createLLVMTargetAttrsPass());
    break;
  case TargetKind::GPU:
    break;
  }
}

void mlir::interact::addFormChoiceStage(OpPassManager &pm,
                                        const FormChoiceStageOptions &options) {
  SelectFormPassOptions select;
  select.batchHint = options.batchHint;
  select.seqLenHint = options.seqLenHint;
  pm.addPass(createSelectFormPass(select));
}

void mlir::interact::addLoweringStage(OpPassManager &pm,
                                      const LoweringStageOptions &options) {
  ConvertInteractToLinalgPassOptions lowering;
  lowering.reference = options.reference;
  pm.addPass(createConvertInteractToLinalgPass(lowering));
  // The kernels' register transposes by the target's shuffles, before the
  // canonicalizer folds them into element-by-element inserts.
  pm.addPass(createLowerTransposesPass());
  // f32 exponentials as vector arithmetic, not one expf call per lane.
  pm.addPass(createApproximateExpPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::interact::addBufferizationStage(
    OpPassManager &pm, const BufferizationStageOptions &options) {
  bufferization::OneShotBufferizePassOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = options.functionBoundaries;
  bufferize.functionBoundaryTypeConversion =
      bufferization::LayoutMapOption::IdentityLayoutMap;
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  if (options.resultsToOutParams) {
    bufferization::BufferResultsToOutParamsPassOptions outParams;
    outParams.hoistStaticAllocs = true;
    outParams.hoistDynamicAllocs = true;
    outParams.modifyPublicFunctions = true;
    pm.addPass(bufferization::createBufferResultsToOutParamsPass(outParams));
  }
  bufferization::buildBufferDeallocationPipeline(pm);
  pm.addPass(createConvertBufferizationToMemRefPass());
}

void mlir::interact::addParallelLoopsStage(
    OpPassManager &pm, const ParallelLoopsStageOptions &options) {
  pm.addNestedPass<func::FuncOp>(createForallToParallelLoopPass());
  ConvertSCFToOpenMPPassOptions openMP;
  openMP.numThreads = options.threads;
  pm.addPass(createConvertSCFToOpenMPPass(openMP));
  // Inlines the memref.alloca_scope the conversion wraps around loop bodies
  // that allocate nothing on the stack.
  pm.addPass(createCanonicalizerPass());
}

void mlir::interact::addLLVMStage(OpPassManager &pm,
                                  const LLVMStageOptions &options) {
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
  pm.addPass(createConvertVectorToLLVMPass(vectorToLLVM));
  pm.addPass(createUBToLLVMConversionPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  // The target's ISA on every function, so that the JIT or llc emits it and
  // not the compiling machine's.
  pm.addPass(createLLVMTargetAttrsPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  pm.addPass(createConvertOpenMPToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

//===----------------------------------------------------------------------===//
// Pipelines
//===----------------------------------------------------------------------===//

void mlir::interact::buildCPUPipeline(OpPassManager &pm,
                                      const CPUPipelineOptions &options) {
  // The target the choices below are made for. One that is unknown or a GPU
  // is reported, located, by the target stage when the passes run.
  std::string name = options.target, error;
  FailureOr<Target> target = lookupTarget(name.empty() ? "host" : name, error);
  bool cpu = succeeded(target) && target->kind == TargetKind::CPU;
  int64_t threads = options.threads;
  if (!threads && cpu)
    threads = target->threads;

  addTargetStage(pm, {name, TargetKind::CPU});
  if (options.selectForm)
    addFormChoiceStage(pm, {/*batchHint=*/1, options.seqLenHint});
  addLoweringStage(pm, {options.reference});
  addBufferizationStage(pm, {/*functionBoundaries=*/true});
  addParallelLoopsStage(pm, {threads});
  addLLVMStage(pm, {});
}

void mlir::interact::addGPUKernelStage(OpPassManager &pm,
                                       const GPUKernelStageOptions &options) {
  ConvertInteractToGPUPassOptions kernels;
  kernels.scanPTile = options.scanPTile;
  kernels.scanTimeBlock = options.scanTimeBlock;
  kernels.attentionBlockQ = options.attentionBlockQ;
  kernels.attentionBlockK = options.attentionBlockK;
  pm.addPass(createConvertInteractToGPUPass(kernels));
  // Outlined before bufferization: buffer deallocation refuses the ops of
  // an inline launch's body that declare no memory effects (gpu.barrier),
  // while gpu.launch_func has interact's model (reads and writes its
  // buffers, registerGpuLaunchFuncEffects).
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::interact::addDeviceBuffersStage(
    OpPassManager &pm, const DeviceBuffersStageOptions &options) {
  (void)options;
  // The upstream ops around interact ops (elementwise, reductions) become
  // one GPU thread per point of their parallel loops; a loop with
  // reductions of its own goes through upstream's mapping.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  pm.addPass(createGpuParallelLoopsPass());
  pm.addNestedPass<func::FuncOp>(createGpuMapParallelLoopsPass());
  pm.addPass(createConvertParallelLoopToGpuPass());
  pm.addPass(createGpuDeviceBuffersPass());
  // gpu-async-region orders gpu.launch_func, not inline launches.
  pm.addPass(createGpuKernelOutliningPass());
  // Launches, allocations and copies in order on one stream: the caller's
  // (lib/Runtime's interact_cuda_set_stream), with no synchronization per
  // launch.
  pm.addNestedPass<func::FuncOp>(createGpuAsyncRegionPass());
  pm.addPass(createCanonicalizerPass());
}

void mlir::interact::addNVVMStage(OpPassManager &pm,
                                  const NVVMStageOptions &options) {
  pm.addPass(createConvertNVGPUToNVVMPass());
  pm.addPass(createGpuKernelOutliningPass());
  pm.addPass(createSCFToControlFlowPass());
  pm.addPass(createConvertNVVMToLLVMPass());
  pm.addPass(createConvertFuncToLLVMPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  GpuNVVMAttachTargetOptions attach;
  attach.chip = options.chip;
  attach.features = options.features;
  attach.optLevel = options.optLevel;
  pm.addPass(createGpuNVVMAttachTarget(attach));
  pm.addPass(createLowerAffinePass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createStripDebugInfoPass());
  // Warp reductions, which convert-gpu-to-nvvm leaves, as shuffles.
  kernels.addPass(createGpuSubgroupReduceToShufflesPass());
  kernels.addPass(createConvertGpuOpsToNVVMOps());
  kernels.addPass(LLVM::createNVVMOptimizeForTargetPass());
  kernels.addPass(createCanonicalizerPass());
  kernels.addPass(createCSEPass());
  kernels.addPass(createReconcileUnrealizedCastsPass());
  pm.addPass(createGpuToLLVMConversionPass());
  GpuModuleToBinaryPassOptions binary;
  binary.compilationTarget = options.format;
  binary.toolkitPath = options.toolkit;
  binary.cmdOptions = options.ptxasOptions;
  pm.addPass(createGpuModuleToBinaryPass(binary));
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::interact::buildGPUPipeline(OpPassManager &pm,
                                      const GPUPipelineOptions &options) {
  std::string name = options.target, error;
  FailureOr<Target> target = lookupTarget(name.empty() ? "sm_90" : name, error);
  std::string chip = options.chip;
  if (chip.empty())
    chip = succeeded(target) && target->kind == TargetKind::GPU
               ? target->llvmCPU
               : "sm_90";
  addTargetStage(pm, {name, TargetKind::GPU, chip, options.format});
  addGPUKernelStage(pm, {options.scanPTile, options.scanTimeBlock,
                         options.attentionBlockQ, options.attentionBlockK});
  addBufferizationStage(pm, {/*functionBoundaries=*/true,
                             /*resultsToOutParams=*/true});
  addDeviceBuffersStage(pm, {});
  std::string toolkit = options.toolkit;
  if (toolkit.empty())
    toolkit = INTERACT_CUDA_TOOLKIT;
  addNVVMStage(pm, {chip, options.features, options.format, options.optLevel,
                    toolkit, options.ptxasOptions});
}

void mlir::interact::registerPipelines() {
  PassPipelineRegistration<GPUPipelineOptions>(
      "interact-gpu-pipeline",
      "Lower GPU kernels and their host code to the LLVM dialect with an "
      "embedded NVIDIA binary (cubin) for a GPU target",
      buildGPUPipeline);
  PassPipelineRegistration<CPUPipelineOptions>(
      "interact-cpu-pipeline",
      "Lower interact IR (and the upstream tensor IR around it) to the LLVM "
      "dialect for a CPU target",
      buildCPUPipeline);
}
