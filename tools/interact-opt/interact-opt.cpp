//===- interact-opt.cpp - The interact optimizer driver -------------------===//
//
// mlir-opt with every upstream dialect, extension and pass plus interact's,
// and --target=NAME, which sets the module's target (interact-set-target)
// before any other pass runs. Without it the module's own interact.target
// stays, and passes that read one take host where there is none.
//
//===----------------------------------------------------------------------===//

#include "interact/Dialect/Interact/Transforms/Passes.h"
#include "interact/InitAll.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllDialects.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Support/FileUtilities.h"
#include "mlir/Target/LLVMIR/Dialect/All.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

#include "llvm/Support/CommandLine.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ToolOutputFile.h"

using namespace mlir;

int main(int argc, char **argv) {
  registerAllPasses();
  interact::registerAllPasses();

  DialectRegistry registry;
  registerAllDialects(registry);
  registerAllExtensions(registry);
  interact::registerAllDialects(registry);
  // gpu-module-to-binary (interact-gpu-pipeline) translates kernels to
  // LLVM IR in the tool.
  registerAllGPUToLLVMIRTranslations(registry);

  llvm::cl::opt<std::string> target(
      "target",
      llvm::cl::desc("Set the module's interact.target to NAME (host, "
                     "x86-64-v3, x86-64-v4, sm_80, sm_90) before the passes "
                     "run; without it the module's own stays"),
      llvm::cl::value_desc("NAME"));
  auto [inputFile, outputFile] = registerAndParseCLIOptions(
      argc, argv, "interact optimizer driver\n", registry);
  MlirOptMainConfig config = MlirOptMainConfig::createFromCLOptions();
  if (!target.getNumOccurrences() || config.shouldShowDialects() ||
      config.shouldListPasses())
    return asMainReturnCode(
        MlirOptMain(argc, argv, inputFile, outputFile, registry));

  // interact-set-target first, then the passes the command line names. A
  // --pass-pipeline replaces the pass manager it is parsed into, so they are
  // parsed into one of their own (which --dump-pass-pipeline prints) and
  // appended as text.
  config.setPassPipelineSetupFn(
      [passes = config, name = target.getValue()](PassManager &pm) {
        PassManager named(pm.getContext(), pm.getOpAnchorName());
        if (failed(passes.setupPassPipeline(named)))
          return failure();
        interact::SetTargetPassOptions options;
        options.targetName = name;
        pm.addPass(interact::createSetTargetPass(options));
        std::string text;
        llvm::raw_string_ostream os(text);
        named.printAsTextualPipeline(os);
        StringRef inner = StringRef(text)
                              .drop_front(named.getOpAnchorName().size() + 1)
                              .drop_back();
        return parsePassPipeline(inner, pm);
      });
  std::string error;
  std::unique_ptr<llvm::MemoryBuffer> input = openInputFile(inputFile, &error);
  std::unique_ptr<llvm::ToolOutputFile> output =
      input ? openOutputFile(outputFile, &error) : nullptr;
  if (!output) {
    llvm::errs() << error << "\n";
    return 1;
  }
  if (failed(MlirOptMain(output->os(), std::move(input), registry, config)))
    return 1;
  output->keep();
  return 0;
}
