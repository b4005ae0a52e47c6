//===- InteractPlugin.cpp - interact as a plugin of mlir-opt --------------===//
//
// One shared library that the installed mlir-opt loads both ways:
//   mlir-opt --load-dialect-plugin=InteractPlugin.so  (the dialect)
//   mlir-opt --load-pass-plugin=InteractPlugin.so     (the passes)
//
//===----------------------------------------------------------------------===//

#include "interact/InitAll.h"

#include "mlir/Tools/Plugins/DialectPlugin.h"
#include "mlir/Tools/Plugins/PassPlugin.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/Compiler.h"

extern "C" LLVM_ATTRIBUTE_WEAK mlir::DialectPluginLibraryInfo
mlirGetDialectPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "InteractDialectPlugin", LLVM_VERSION_STRING,
          [](mlir::DialectRegistry *registry) {
            mlir::interact::registerAllDialects(*registry);
          }};
}

extern "C" LLVM_ATTRIBUTE_WEAK mlir::PassPluginLibraryInfo
mlirGetPassPluginInfo() {
  return {MLIR_PLUGIN_API_VERSION, "InteractPassPlugin", LLVM_VERSION_STRING,
          []() { mlir::interact::registerAllPasses(); }};
}
