//===- AOT.h - Shared libraries with a C ABI from a module ------*- C++ -*-===//
//
// The ahead-of-time half of the runner: interact-compile's work. Every public
// function of a module is lowered with interact-cpu-pipeline (Compile.h),
// emitted as an object for the target's CPU, and linked with generated glue
// and a small C runtime (lib/ABI) into a shared library that needs only
// libc, libm and the OpenMP runtime shipped beside it. The ABI is
// include/interact/ABI/interact_abi.h; docs/AOT.md shows it in use.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_AOT_H
#define INTERACT_RUNNER_AOT_H

#include "interact/Runner/Compile.h"
#include "interact/Runner/Signature.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mlir {
class AsmParserState;
} // namespace mlir

namespace mlir::interact::runner {

struct LibraryOptions {
  /// The library to write, DIR/libNAME.so. Beside it go NAME.h (or
  /// `header`), interact_abi.h and libomp.so.5.
  std::string output;
  /// The C prefix of the exported functions; empty: NAME.
  std::string prefix;
  /// The generated header's path; empty: DIR/PREFIX.h.
  std::string header;
  /// How the functions are compiled (target, reference, form selection).
  /// Its thread count becomes the library's default, not a compiled-in
  /// constant: callers may change it per library or per call.
  CompileOptions compile;
  /// The C compiler that compiles the glue and links the library.
  std::string cc = "cc";
  /// Names the module's file in the signature and the header's banner.
  std::string sourceName;
};

/// Writes the library of `module`'s public functions. `names` (the parser
/// state of the module's file, may be null) names arguments and results.
/// Fails, with a message, where a function's signature has no C form (a
/// non-tensor argument, rank above INTERACT_MAX_RANK, a name that is not a
/// C identifier), a function does not lower, or compiling or linking fails.
llvm::Error writeLibrary(ModuleOp module, const AsmParserState *names,
                         const LibraryOptions &options);

/// interact-compile's whole run: parses `inputFile` (located diagnostics
/// go to the context's handler) and writes its library.
llvm::Error compileFile(MLIRContext &context, StringRef inputFile,
                        LibraryOptions options);

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_AOT_H
