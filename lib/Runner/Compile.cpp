//===- Compile.cpp - Lower a function for a runner ------------------------===//

#include "interact/Runner/Compile.h"

#include "interact/Pipelines/Pipelines.h"
#include "interact/Target/Target.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/OpenMP/OpenMPDialect.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Support/Timing.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::runner;

void runner::registerMLIRCommandLineOptions() {
  registerMLIRContextCLOptions();
  registerAsmPrinterCLOptions();
  registerPassManagerCLOptions();
  registerDefaultTimingManagerCLOptions();
}

LogicalResult runner::applyMLIRCommandLineOptions(PassManager &pm) {
  if (failed(applyPassManagerCLOptions(pm)))
    return failure();
  applyDefaultTimingPassManagerCLOptions(pm);
  return success();
}

void runner::setPipelineOptions(CPUPipelineOptions &pipeline,
                                const CompileOptions &options) {
  pipeline.target = options.target;
  pipeline.reference = options.reference;
  // The reference is the plain definition of the IR as written.
  pipeline.selectForm = options.selectForm && !options.reference;
  pipeline.seqLenHint = options.seqLenHint;
  pipeline.threads = options.threads;
}

std::string runner::describePipeline(const CompileOptions &options) {
  OpPassManager pm(ModuleOp::getOperationName());
  CPUPipelineOptions pipeline;
  setPipelineOptions(pipeline, options);
  buildCPUPipeline(pm, pipeline);
  std::string text;
  llvm::raw_string_ostream os(text);
  pm.printAsTextualPipeline(os);
  std::string passes;
  int depth = 0;
  for (char c : text) {
    depth += c == '{';
    if (depth == 0)
      passes.push_back(c);
    depth -= c == '}';
  }
  return passes;
}

/// Erases the functions of `module` that `roots` do not reach.
static void keepReached(ModuleOp module, ArrayRef<func::FuncOp> roots) {
  llvm::SmallPtrSet<Operation *, 8> reached;
  SmallVector<Operation *> worklist;
  for (func::FuncOp root : roots)
    if (reached.insert(root).second)
      worklist.push_back(root);
  while (!worklist.empty()) {
    Operation *op = worklist.pop_back_val();
    if (std::optional<SymbolTable::UseRange> uses =
            SymbolTable::getSymbolUses(op))
      for (const SymbolTable::SymbolUse &use : *uses)
        if (Operation *callee =
                SymbolTable::lookupSymbolIn(module, use.getSymbolRef()))
          if (reached.insert(callee).second)
            worklist.push_back(callee);
  }
  for (auto other : llvm::make_early_inc_range(module.getOps<func::FuncOp>()))
    if (!reached.contains(other))
      other.erase();
}

/// The first op that is not LLVM, OpenMP or GPU code the translation takes,
/// preferring a real op over the casts that connect it to converted IR; null if
/// there is none.
static Operation *findUnconverted(ModuleOp module) {
  Operation *leftover = nullptr;
  module->walk<WalkOrder::PreOrder>([&](Operation *op) {
    // gpu.binary and gpu.launch_func are translated to LLVM IR directly.
    if (isa<ModuleOp>(op) || isa<gpu::BinaryOp, gpu::LaunchFuncOp>(op) ||
        isa<LLVM::LLVMDialect, omp::OpenMPDialect>(op->getDialect()))
      return WalkResult::advance();
    bool isCast = isa<UnrealizedConversionCastOp>(op);
    if (!leftover || (isa<UnrealizedConversionCastOp>(leftover) && !isCast))
      leftover = op;
    return isCast ? WalkResult::advance() : WalkResult::interrupt();
  });
  return leftover;
}

llvm::Expected<OwningOpRef<ModuleOp>>
runner::lowerToLLVM(ModuleOp module, StringRef name,
                    const CompileOptions &options) {
  return lowerToLLVM(module, ArrayRef<std::string>{name.str()}, options);
}

llvm::Expected<OwningOpRef<ModuleOp>>
runner::lowerToLLVM(ModuleOp module, ArrayRef<std::string> names,
                    const CompileOptions &options) {
  MLIRContext *context = module.getContext();
  OwningOpRef<ModuleOp> clone = module.clone();
  SmallVector<func::FuncOp> roots;
  for (const std::string &name : names) {
    auto fn = clone->lookupSymbol<func::FuncOp>(name);
    if (!fn || fn.isDeclaration())
      return llvm::createStringError("no function @" + name + " to compile");
    fn->setAttr(LLVM::LLVMDialect::getEmitCWrapperAttrName(),
                UnitAttr::get(context));
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      fn.setArgAttr(i, "bufferization.writable", BoolAttr::get(context, false));
    // Names are the signature's (read before lowering); left on, they would
    // reach LLVM IR as parameter attributes it does not know (results
    // become parameters on a GPU target).
    for (unsigned i = 0, e = fn.getNumArguments(); i < e; ++i)
      fn.removeArgAttr(i, "interact.name");
    for (unsigned i = 0, e = fn.getNumResults(); i < e; ++i)
      fn.removeResultAttr(i, StringAttr::get(context, "interact.name"));
    roots.push_back(fn);
  }
  keepReached(*clone, roots);
  // What the messages call the code: the function, or the module's.
  std::string name = names.size() == 1 ? "@" + names.front()
                                       : std::string("the module's functions");

  PassManager pm(context);
  if (options.configurePassManager && failed(options.configurePassManager(pm)))
    return llvm::createStringError("bad pass manager options");
  // A GPU target's code is host code that launches kernels embedded in it.
  std::string targetError;
  FailureOr<Target> target = lookupTarget(options.target, targetError);
  bool gpu = succeeded(target) && target->kind == TargetKind::GPU &&
             !options.reference;
  if (gpu) {
    GPUPipelineOptions pipeline;
    pipeline.target = options.target;
    buildGPUPipeline(pm, pipeline);
  } else {
    CPUPipelineOptions pipeline;
    setPipelineOptions(pipeline, options);
    buildCPUPipeline(pm, pipeline);
  }
  auto doesNotLower = [&] {
    return llvm::createStringError(
        name + " does not lower to " + (gpu ? options.target : "the CPU") +
        (options.reference ? " (reference lowering)" : ""));
  };
  if (failed(pm.run(*clone)))
    return doesNotLower();
  // Conversions to LLVM are partial: name the first op they left behind.
  if (Operation *leftover = findUnconverted(*clone)) {
    leftover->emitError() << "'" << leftover->getName()
                          << "' has no lowering in interact-"
                          << (gpu ? "gpu" : "cpu") << "-pipeline";
    return doesNotLower();
  }
  return clone;
}
