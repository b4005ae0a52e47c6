//===- Runner.h - Run one function of an MLIR file --------------*- C++ -*-===//
//
// The whole of interact-run, from a struct of options that its main fills
// from the command line (as mlir-runner's main fills JitRunnerConfig):
// parse the file, choose the function and the target, make or read the
// inputs and check every size, compile, run, print or write the outputs,
// compare them with the float64 reference, time repeated runs.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_RUNNER_H
#define INTERACT_RUNNER_RUNNER_H

#include "mlir/Support/LLVM.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace mlir {
class MLIRContext;
class PassManager;
} // namespace mlir

namespace mlir::interact::runner {

/// What to run and how.
struct RunOptions {
  /// The MLIR file; "-" is stdin.
  std::string inputFile;
  /// The function to run; empty: the file's only public one.
  std::string function;
  /// "@path.npy" per argument, in order.
  std::vector<std::string> inputs;
  /// "@path.npy" per result, in order; none prints a summary of each.
  std::vector<std::string> outputs;
  /// Make every input randomly from this seed instead (makeRandomInputs).
  std::optional<uint64_t> randomSeed;
  /// Sizes of dynamic dimensions of random inputs: "b=N", "t=N", "s=N".
  std::vector<std::string> dims;
  /// Compare the outputs with the float64 reference lowering's.
  bool check = false;
  /// With `check`: take the reference from the function of the same name in
  /// this file (the IR before a rewrite).
  std::string referenceFrom;
  /// Time this many runs after a warm-up.
  unsigned benchmarkRuns = 0;
  /// Choose each op's form with interact-select-form first.
  bool selectForm = false;
  /// Threads of the parallel loops; 0: see getThreadCount.
  unsigned threads = 0;
  /// The target to compile for, which this machine must run; empty: the
  /// module's interact.target, or host.
  std::string target;
  /// Print the passes of the pipeline.
  bool printPipeline = false;
  /// Applied to every pass manager before it runs (MLIR's command-line
  /// options); may be empty.
  std::function<LogicalResult(PassManager &)> configurePassManager;
};

/// Runs as `options` say, printing results and verdicts to `os` and located
/// diagnostics to stderr. Returns the error that stopped the run, whose
/// message is one line; also an error where the check fails.
llvm::Error runFunction(MLIRContext &context, const RunOptions &options,
                        llvm::raw_ostream &os);

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_RUNNER_H
