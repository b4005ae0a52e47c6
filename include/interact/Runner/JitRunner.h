//===- JitRunner.h - Run a compiled function on this machine ----*- C++ -*-===//
//
// The JIT half of the runner: the LLVM dialect from lowerToLLVM becomes
// machine code for this process (mlir::ExecutionEngine, with the shared
// libraries interact's code calls) and runs on memref descriptors or on
// .npy arrays. What is JIT-specific lives here and nowhere else, so that the
// AOT driver and the GPU runner share the rest of the runner library.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_JITRUNNER_H
#define INTERACT_RUNNER_JITRUNNER_H

#include "interact/Runner/Compile.h"
#include "interact/Support/Npy.h"
#include "interact/Target/Target.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <string>
#include <vector>

namespace mlir {
class ExecutionEngine;
} // namespace mlir

namespace mlir::interact::runner {

/// The shared libraries compiled code calls: MLIR's C runner utilities
/// (memref.copy between strided views) and LLVM's OpenMP runtime (the
/// parallel loops).
SmallVector<StringRef> getRuntimeLibraries();

/// A function JIT-compiled for this machine.
class JitFunction {
public:
  /// JIT-compiles function `name`, of type `type`, from `llvmModule` (what
  /// lowerToLLVM returns) with LLVM's -O3, for this machine.
  static llvm::Expected<std::unique_ptr<JitFunction>>
  create(ModuleOp llvmModule, StringRef name, FunctionType type);

  /// Lowers function `name` of `module` with `options`, then JIT-compiles
  /// it.
  static llvm::Expected<std::unique_ptr<JitFunction>>
  compile(ModuleOp module, StringRef name, const CompileOptions &options);

  ~JitFunction();

  StringRef getName() const { return name; }
  FunctionType getType() const { return type; }

  /// Calls the function through its C interface. `results` points at the
  /// struct of its result descriptors (one StridedMemRefType<T, N> per
  /// result, in order; unused without results), and each of `arguments` at
  /// an argument's descriptor. The function allocates every result buffer
  /// it does not alias to an argument, with malloc: the caller frees it.
  llvm::Error invoke(void *results, ArrayRef<void *> arguments);

  /// Runs the function on `inputs`, which it does not write, and returns its
  /// results as dense arrays; frees every buffer the function allocated.
  /// With `milliseconds`, times the call.
  llvm::Expected<std::vector<npy::Array>>
  run(MutableArrayRef<npy::Array> inputs, double *milliseconds = nullptr);

private:
  JitFunction(std::unique_ptr<ExecutionEngine> engine, StringRef name,
              FunctionType type);

  std::unique_ptr<ExecutionEngine> engine;
  std::string name;
  FunctionType type;
};

/// The thread count of parallel loops run here: `requested` where it is not
/// 0, else the first count of OMP_NUM_THREADS where it is set, else the
/// target's count where its row has one, else every physical core. Refuses
/// what would abort the OpenMP runtime: more than 1024 threads (or than the
/// hardware's threads, where there are more), and an OMP_NUM_THREADS that is
/// not a list of positive counts (the runtime reads it even where the code
/// asks for a count).
llvm::Expected<int64_t> getThreadCount(unsigned requested,
                                       const Target &target);

/// Has the allocator keep freed memory instead of returning it to the
/// kernel (glibc unmaps large blocks and trims its heap on free), so that
/// repeated runs of a function that allocates megabytes measure the
/// function, not page faults on fresh pages: what a serving runtime's
/// caching allocator gives. The benchmark scripts set the same policy for
/// PyTorch.
void keepFreedMemory();

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_JITRUNNER_H
