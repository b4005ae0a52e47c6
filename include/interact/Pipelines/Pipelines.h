//===- Pipelines.h - Pass pipelines built from stages -----------*- C++ -*-===//
//
// The whole paths from interact IR to the LLVM dialect. A pipeline is a
// sequence of named stages (circt's arcilator pipelines, upstream's
// GPUToNVVMPipeline): target, form choice, lowering, bufferization, parallel
// loops and LLVM, each added by one public function, so that a GPU pipeline
// composes the stages it shares with the CPU one. interact-opt, the plugin,
// the runner library and embedding compilers all build them through these
// functions.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_PIPELINES_PIPELINES_H
#define INTERACT_PIPELINES_PIPELINES_H

#include "interact/Target/Target.h"

#include "mlir/Dialect/Vector/Transforms/VectorRewritePatterns.h"
#include "mlir/Pass/PassOptions.h"

#include <string>

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlir::interact {

//===----------------------------------------------------------------------===//
// Stages
//===----------------------------------------------------------------------===//

/// Options of the target stage.
struct TargetStageOptions {
  /// A known target's name; empty keeps the module's `interact.target` (or
  /// sets `host` where it has none).
  std::string name;
  /// What the pipeline compiles for: a target of another kind is a located
  /// error before anything is lowered.
  TargetKind kind = TargetKind::CPU;
  /// GPU pipelines: the chip and binary format, checked before anything is
  /// lowered (empty: not checked).
  std::string chip, binaryFormat;
};

/// Fixes the module's target (interact-set-target), so that every later pass
/// reads the same one. For a CPU pipeline, interact-llvm-target-attrs runs
/// here too: it rejects a GPU target with a located error (and stamps the
/// llvm.func the input may already hold).
void addTargetStage(OpPassManager &pm, const TargetStageOptions &options);

/// Options of the form-choice stage.
struct FormChoiceStageOptions {
  /// Sizes form selection assumes where they are dynamic.
  int64_t batchHint = 1;
  int64_t seqLenHint = 4096;
};

/// Chooses each interact op's form (recurrent, chunked, attention) with the
/// module target's cost model (interact-select-form).
void addFormChoiceStage(OpPassManager &pm,
                        const FormChoiceStageOptions &options);

/// Options of the lowering stage.
struct LoweringStageOptions {
  /// Lower interact ops by their plain float64 definitions (the reference).
  bool reference = false;
};

/// Lowers interact ops to linalg, tensor, vector and scf
/// (convert-interact-to-linalg), the kernels' register transposes to the
/// target's shuffles (interact-lower-transposes), f32 exponentials to vector
/// arithmetic, then
/// canonicalizes and CSEs.
void addLoweringStage(OpPassManager &pm, const LoweringStageOptions &options);

/// Options of the bufferization stage.
struct BufferizationStageOptions {
  /// Bufferize across function boundaries (identity-layout memrefs in the
  /// signatures); off, only function bodies are.
  bool functionBoundaries = true;
  /// Results of every function become destination buffers after its
  /// arguments (buffer-results-to-out-params): the caller allocates them,
  /// and a result the function allocated is written there directly.
  bool resultsToOutParams = false;
};

/// One-Shot Bufferize, results as destinations (with `resultsToOutParams`),
/// buffer deallocation, and bufferization ops to memref.
void addBufferizationStage(OpPassManager &pm,
                           const BufferizationStageOptions &options);

/// Options of the parallel-loops stage.
struct ParallelLoopsStageOptions {
  /// Threads of every parallel region; 0 leaves the count to the OpenMP
  /// runtime (OMP_NUM_THREADS, or every hardware thread).
  int64_t threads = 0;
};

/// scf.forall (the parallel recurrence, the attention tiles) to OpenMP.
void addParallelLoopsStage(OpPassManager &pm,
                           const ParallelLoopsStageOptions &options);

/// Options of the LLVM stage (none yet: the target's choices are made by
/// interact-lower-transposes and interact-llvm-target-attrs, which read the
/// module's target).
struct LLVMStageOptions {};

/// Loops, memrefs, vectors and the remaining dialects to the LLVM dialect,
/// then the module target's CPU and features on every llvm.func
/// (interact-llvm-target-attrs).
void addLLVMStage(OpPassManager &pm, const LLVMStageOptions &options);

/// Options of the GPU kernel stage: the kernels' tile sizes (0: each
/// kernel's choice).
struct GPUKernelStageOptions {
  int64_t scanPTile = 0;
  int64_t scanTimeBlock = 0;
  int64_t attentionBlockQ = 0;
  int64_t attentionBlockK = 0;
};

/// Lowers interact ops to GPU kernel launches on buffers
/// (convert-interact-to-gpu), outlines the kernels (gpu.launch_func), then
/// canonicalizes and CSEs.
void addGPUKernelStage(OpPassManager &pm, const GPUKernelStageOptions &options);

/// Options of the device-buffers stage (none yet).
struct DeviceBuffersStageOptions {};

/// After bufferization: the remaining linalg ops as GPU kernels (one thread
/// per point of their parallel loops), every host buffer as device memory
/// (interact-gpu-device-buffers), and the host's GPU work made
/// stream-ordered (gpu-async-region).
void addDeviceBuffersStage(OpPassManager &pm,
                           const DeviceBuffersStageOptions &options);

/// Options of the NVVM stage: how GPU kernels become a binary.
struct NVVMStageOptions {
  /// The SM architecture, "sm_90".
  std::string chip;
  /// PTX features; the PTX version must know the chip (+ptx80 covers sm_80
  /// and sm_90; LLVM's default, +ptx60, aborts on them).
  std::string features = "+ptx80";
  /// "bin" (a cubin), "fatbin" (cubin and PTX) or "isa" (PTX text, which
  /// needs no CUDA tools).
  std::string format = "bin";
  int64_t optLevel = 3;
  /// The CUDA toolkit, where ptxas, fatbinary and libdevice are.
  std::string toolkit;
  /// Passed to ptxas: by default a spill is an error.
  std::string ptxasOptions = "-warn-spills -Werror";
};
/// GPU kernels (`gpu.module`s) to NVVM and a binary embedded in the module
/// (`gpu.binary`), the host code to the LLVM dialect with calls to the
/// mgpu* runtime (interact's is lib/Runtime). The pass list is upstream's
/// gpu-lower-to-nvvm-pipeline written out, with the options above.
void addNVVMStage(OpPassManager &pm, const NVVMStageOptions &options);

//===----------------------------------------------------------------------===//
// Pipelines
//===----------------------------------------------------------------------===//

struct CPUPipelineOptions : public PassPipelineOptions<CPUPipelineOptions> {
  PassOptions::Option<std::string> target{
      *this, "target",
      llvm::cl::desc("Target to compile for (host, x86-64-v3, x86-64-v4); "
                     "empty keeps the module's interact.target, or host"),
      llvm::cl::init("")};
  PassOptions::Option<int64_t> threads{
      *this, "threads",
      llvm::cl::desc("Threads of the parallel loops; 0 takes the target's "
                     "count, whose 0 leaves it to the OpenMP runtime"),
      llvm::cl::init(0)};
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

/// Builds `interact-cpu-pipeline` on a builtin.module from the stages above:
/// target, form choice (with `select-form`), lowering, bufferization,
/// parallel loops and LLVM. The choices made while building (the thread
/// count, the transpose lowering) follow `target`, or `host` where it is
/// empty: the module's own attribute is only seen when the passes run.
void buildCPUPipeline(OpPassManager &pm, const CPUPipelineOptions &options);

struct GPUPipelineOptions : public PassPipelineOptions<GPUPipelineOptions> {
  PassOptions::Option<std::string> target{
      *this, "target",
      llvm::cl::desc("GPU target (sm_80, sm_90); empty keeps the module's "
                     "interact.target"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> chip{
      *this, "chip",
      llvm::cl::desc("SM architecture; empty takes the target's (sm_90)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> features{*this, "features",
                                            llvm::cl::desc("PTX features"),
                                            llvm::cl::init("+ptx80")};
  PassOptions::Option<std::string> format{
      *this, "format",
      llvm::cl::desc("Binary format: bin (cubin), fatbin, isa (PTX)"),
      llvm::cl::init("bin")};
  PassOptions::Option<int64_t> optLevel{
      *this, "opt-level", llvm::cl::desc("Optimization level of NVPTX"),
      llvm::cl::init(3)};
  PassOptions::Option<std::string> toolkit{
      *this, "toolkit",
      llvm::cl::desc("CUDA toolkit (ptxas, fatbinary, libdevice); empty "
                     "takes the build's (INTERACT_CUDA_TOOLKIT, "
                     "/usr/local/cuda)"),
      llvm::cl::init("")};
  PassOptions::Option<std::string> ptxasOptions{
      *this, "ptxas-options", llvm::cl::desc("Options of ptxas"),
      llvm::cl::init("-warn-spills -Werror")};
  PassOptions::Option<int64_t> scanPTile{
      *this, "scan-p-tile",
      llvm::cl::desc("Rows of p per scan thread block (0: the kernel's)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> scanTimeBlock{
      *this, "scan-time-block",
      llvm::cl::desc("Time steps a scan block stages in shared memory (0: "
                     "the kernel's)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> attentionBlockQ{
      *this, "attention-block-q",
      llvm::cl::desc("Queries per attention thread block (0: the kernel's)"),
      llvm::cl::init(0)};
  PassOptions::Option<int64_t> attentionBlockK{
      *this, "attention-block-k",
      llvm::cl::desc("Keys per attention loop step (0: the kernel's)"),
      llvm::cl::init(0)};
};

/// Builds `interact-gpu-pipeline`: the target stage for a GPU target, the
/// GPU kernel stage, bufferization (results as destination buffers after
/// the arguments), device buffers and the NVVM stage. The result is an
/// LLVM-dialect module whose functions take device buffers, write their
/// results into the caller's, and launch on the stream lib/Runtime is
/// given.
void buildGPUPipeline(OpPassManager &pm, const GPUPipelineOptions &options);

/// Registers the pipelines above with the global pass registry.
void registerPipelines();

} // namespace mlir::interact

#endif // INTERACT_PIPELINES_PIPELINES_H
