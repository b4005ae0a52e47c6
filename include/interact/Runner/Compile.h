//===- Compile.h - Lower a function for a runner ----------------*- C++ -*-===//
//
// Lowers one function of a module, and what it calls, to the LLVM dialect
// with interact-cpu-pipeline. What happens to the LLVM dialect next is the
// caller's: the JIT (JitRunner.h) or the AOT driver's object file.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_COMPILE_H
#define INTERACT_RUNNER_COMPILE_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/Error.h"

#include <functional>
#include <string>

namespace mlir {
class PassManager;
} // namespace mlir

namespace mlir::interact {
struct CPUPipelineOptions;
} // namespace mlir::interact

namespace mlir::interact::runner {

/// How a function is compiled: interact-cpu-pipeline's options.
struct CompileOptions {
  /// A known CPU target; empty keeps the module's interact.target, or host.
  std::string target;
  /// Lower interact ops by their float64 definitions (the reference).
  bool reference = false;
  /// Choose each op's form first, assuming `seqLenHint` where t is dynamic.
  bool selectForm = false;
  int64_t seqLenHint = 4096;
  /// Threads of the parallel loops; 0 takes the target's count, whose 0
  /// leaves it to the OpenMP runtime.
  int64_t threads = 0;
  /// Applied to the pass manager before it runs (MLIR's command-line
  /// options: timing, IR printing); may be empty.
  std::function<LogicalResult(PassManager &)> configurePassManager;
};

/// Registers MLIR's own command-line options of a compiling tool (context,
/// printing, pass manager, timing: --mlir-timing,
/// --mlir-print-ir-after-all, ...). Call before parsing the command line.
void registerMLIRCommandLineOptions();

/// Applies the options registerMLIRCommandLineOptions registered to `pm`:
/// a CompileOptions::configurePassManager for tools.
LogicalResult applyMLIRCommandLineOptions(PassManager &pm);

/// Sets `pipeline`'s options from `options`.
void setPipelineOptions(CPUPipelineOptions &pipeline,
                        const CompileOptions &options);

/// The passes of the pipeline `options` build, without their option
/// values (which run to pages).
std::string describePipeline(const CompileOptions &options);

/// Lowers function `name` of `module` and the functions it calls to the LLVM
/// dialect, in a clone: other functions are dropped (one that does not lower
/// must not stop this one), the function gets the C interface
/// (llvm.emit_c_interface), and its arguments are read-only (bufferization
/// must not write a caller's inputs in place). Fails, after located
/// diagnostics, where a pass fails or leaves an op that is neither LLVM nor
/// OpenMP.
llvm::Expected<OwningOpRef<ModuleOp>>
lowerToLLVM(ModuleOp module, StringRef name, const CompileOptions &options);

/// lowerToLLVM for the functions `names` together, each with the C
/// interface (interact-compile's libraries).
llvm::Expected<OwningOpRef<ModuleOp>>
lowerToLLVM(ModuleOp module, ArrayRef<std::string> names,
            const CompileOptions &options);

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_COMPILE_H
