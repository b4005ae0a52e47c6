//===- interact-run.cpp - JIT-compile and run a function on the CPU -------===//
//
// In the style of mlir-runner and iree-run-module: compiles one function of
// an MLIR file with interact-cpu-pipeline, runs it on .npy or seeded random
// inputs, prints or writes its outputs, and optionally checks them against
// the float64 reference lowering or times repeated runs. The work is the
// runner library's (interact/Runner/Runner.h); this file reads the flags.
//
// Every bad input (file, flag, shape, dtype, function, target) ends in one
// "interact-run: error: ..." line (after any located MLIR diagnostics) and
// exit code 1.
//
//===----------------------------------------------------------------------===//

#include "interact/InitAll.h"
#include "interact/Runner/Compile.h"
#include "interact/Runner/Runner.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/OpenMP/OpenMPToLLVMIRTranslation.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);

  cl::OptionCategory category("interact-run options");
  cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                 cl::desc("<input .mlir file>"),
                                 cl::cat(category));
  cl::opt<std::string> function(
      "function", cl::desc("Function to run (default: the only public one)"),
      cl::value_desc("name"), cl::cat(category));
  cl::list<std::string> inputs("input", cl::desc("An input, in argument order"),
                               cl::value_desc("@path.npy"), cl::cat(category));
  cl::list<std::string> outputs(
      "output", cl::desc("Where to write a result, in result order"),
      cl::value_desc("@path.npy"), cl::cat(category));
  cl::opt<uint64_t> randomSeed(
      "random-inputs",
      cl::desc("Make every input from a generator seeded with SEED: decays "
               "-softplus(N(0,1)-4)*U(0.5,3), rank-2 weights "
               "N(0,1)/sqrt(rows), others N(0,1)"),
      cl::value_desc("SEED"), cl::cat(category));
  cl::list<std::string> dims(
      "dim",
      cl::desc("Size of a dynamic dimension of random inputs: b (dimension "
               "0, default 2), t (dimension 1, default 64), s (dimension 1 "
               "of attention keys and values, default t)"),
      cl::value_desc("NAME=VALUE"), cl::cat(category));
  cl::opt<bool> check(
      "check", cl::desc("Compare the outputs with the float64 reference"),
      cl::cat(category));
  cl::opt<std::string> referenceFrom(
      "reference-from",
      cl::desc("With --check: take the reference from the function of the "
               "same name in FILE (the IR before a rewrite), not from this "
               "file"),
      cl::value_desc("FILE"), cl::cat(category));
  cl::opt<unsigned> benchmarkRuns(
      "benchmark",
      cl::desc("Time N runs after a warm-up; print median, min and max ms "
               "(freed memory is kept for reuse, as by a caching allocator)"),
      cl::value_desc("N"), cl::init(0), cl::cat(category));
  cl::opt<bool> selectForm(
      "select-form",
      cl::desc("Choose each interact op's form with interact-select-form "
               "before lowering (at the inputs' sequence length)"),
      cl::cat(category));
  cl::opt<unsigned> threads(
      "num-threads",
      cl::desc("Threads the parallel loops run on, at most 1024 (default: "
               "OMP_NUM_THREADS when set, else the target's count, else "
               "every core)"),
      cl::value_desc("N"), cl::init(0), cl::cat(category));
  cl::opt<std::string> target(
      "target",
      cl::desc("Target to compile for, which this machine must run: host, "
               "x86-64-v3 or x86-64-v4 (default: the module's "
               "interact.target, else host)"),
      cl::value_desc("NAME"), cl::cat(category));
  cl::opt<bool> printPipeline("print-pipeline", cl::desc("Print the passes"),
                              cl::cat(category));

  // MLIR's own flags (--mlir-timing, --mlir-print-ir-after-all, ...) apply
  // to the compilation; --help lists interact-run's.
  interact::runner::registerMLIRCommandLineOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "interact-run: JIT-compile a function with interact-cpu-pipeline and "
      "run it\n");

  interact::runner::RunOptions options;
  options.inputFile = inputFile;
  options.function = function;
  options.inputs = inputs;
  options.outputs = outputs;
  if (randomSeed.getNumOccurrences())
    options.randomSeed = randomSeed;
  options.dims = dims;
  options.check = check;
  options.referenceFrom = referenceFrom;
  options.benchmarkRuns = benchmarkRuns;
  options.selectForm = selectForm;
  options.threads = threads;
  options.target = target;
  options.printPipeline = printPipeline;
  options.configurePassManager = interact::runner::applyMLIRCommandLineOptions;

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  interact::registerAllDialects(registry);
  registerBuiltinDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerOpenMPDialectTranslation(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  if (llvm::Error error =
          interact::runner::runFunction(context, options, llvm::outs())) {
    llvm::errs() << "interact-run: error: " << llvm::toString(std::move(error))
                 << "\n";
    return 1;
  }
  return 0;
}
