//===- interact-compile.cpp - Ahead-of-time libraries with a C ABI --------===//
//
// `interact-compile model.mlir --target=NAME -o DIR/libmodel.so` compiles
// every public function of the module with interact-cpu-pipeline into a
// shared library that needs only libc, libm and the OpenMP runtime copied
// beside it, and writes DIR/model.h, its C interface, and interact_abi.h.
// The work is the runner library's (interact/Runner/AOT.h); this file reads
// the flags. Every bad input ends in one "interact-compile: error: ..." line
// (after any located MLIR diagnostics) and exit code 1.
//
//===----------------------------------------------------------------------===//

#include "interact/InitAll.h"
#include "interact/Runner/AOT.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"

using namespace mlir;
namespace cl = llvm::cl;

int main(int argc, char **argv) {
  llvm::InitLLVM initLLVM(argc, argv);

  cl::OptionCategory category("interact-compile options");
  cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                 cl::desc("<input .mlir file>"),
                                 cl::cat(category));
  cl::opt<std::string> output(
      "o", cl::Required, cl::desc("The library to write"),
      cl::value_desc("DIR/libNAME.so"), cl::cat(category));
  cl::opt<std::string> target(
      "target",
      cl::desc("CPU target: host, x86-64-v3 or x86-64-v4 (default: the "
               "module's interact.target, else host)"),
      cl::value_desc("NAME"), cl::cat(category));
  cl::opt<std::string> prefix(
      "prefix", cl::desc("C prefix of the exported functions (default NAME)"),
      cl::value_desc("PREFIX"), cl::cat(category));
  cl::opt<std::string> header(
      "header", cl::desc("Where to write the C header (default DIR/PREFIX.h)"),
      cl::value_desc("PATH"), cl::cat(category));
  cl::opt<unsigned> threads(
      "num-threads",
      cl::desc("The library's default thread count, at most 1024 (default: "
               "the OpenMP runtime's, OMP_NUM_THREADS or every core); "
               "callers may change it"),
      cl::value_desc("N"), cl::init(0), cl::cat(category));
  cl::opt<bool> selectForm(
      "select-form",
      cl::desc("Choose each interact op's form with interact-select-form "
               "before lowering"),
      cl::cat(category));
  cl::opt<int64_t> seqLenHint(
      "seq-len-hint",
      cl::desc("With --select-form, the sequence length assumed where it is "
               "dynamic"),
      cl::value_desc("T"), cl::init(4096), cl::cat(category));
  cl::opt<bool> reference(
      "reference", cl::desc("Lower interact ops by their float64 definitions"),
      cl::cat(category));
  cl::opt<std::string> cc(
      "cc", cl::desc("C compiler for the glue and the link"),
      cl::value_desc("PROGRAM"), cl::init("cc"), cl::cat(category));

  interact::runner::registerMLIRCommandLineOptions();
  cl::HideUnrelatedOptions(category);
  cl::ParseCommandLineOptions(
      argc, argv,
      "interact-compile: compile a module's public functions into a shared "
      "library with a C ABI\n");

  auto fail = [](const llvm::Twine &message) {
    llvm::errs() << "interact-compile: error: " << message << "\n";
    return 1;
  };
  if (threads > 1024)
    return fail("--num-threads must be at most 1024, not " +
                llvm::Twine(threads));
  if (seqLenHint <= 0)
    return fail("--seq-len-hint must be positive");

  interact::runner::LibraryOptions options;
  options.output = output;
  options.prefix = prefix;
  options.header = header;
  options.cc = cc;
  options.compile.target = target;
  options.compile.threads = threads;
  options.compile.selectForm = selectForm;
  options.compile.seqLenHint = seqLenHint;
  options.compile.reference = reference;
  options.compile.configurePassManager =
      interact::runner::applyMLIRCommandLineOptions;

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  interact::registerAllDialects(registry);
  // GPU targets: gpu-module-to-binary translates kernels to LLVM IR.
  registerAllGPUToLLVMIRTranslations(registry);
  MLIRContext context(registry);
  context.loadAllAvailableDialects();
  if (llvm::Error error =
          interact::runner::compileFile(context, inputFile, options))
    return fail(llvm::toString(std::move(error)));
  return 0;
}
