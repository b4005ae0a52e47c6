//===- Function.h - The function a runner calls, and its types -*- C++ -*-===//
//
// Which function of a module a runner calls, and whether it can: every
// argument and result a ranked tensor of an element type that .npy arrays
// hold. Shared by the JIT runner (interact-run), the AOT driver and the GPU
// runner.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_RUNNER_FUNCTION_H
#define INTERACT_RUNNER_FUNCTION_H

#include "interact/Support/Npy.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mlir::interact::runner {

/// The .npy dtype of a tensor element type a runner passes (f16, bf16, f32,
/// f64, i32, i64), or nullopt.
std::optional<npy::DType> getDType(Type elementType);

/// The function to run: the one named `name`, or, where `name` is empty,
/// the only public function of `module`. `fileName` names the module in
/// messages.
llvm::Expected<func::FuncOp> findFunction(ModuleOp module, StringRef name,
                                          StringRef fileName);

/// Checks that every argument and result of `fn` is a ranked tensor whose
/// element type getDType knows.
llvm::Error checkSignature(func::FuncOp fn);

/// `type` as MLIR prints it, for messages.
std::string toString(Type type);

/// "2x3x4", or "scalar" for rank 0.
std::string shapeToString(ArrayRef<int64_t> shape);

} // namespace mlir::interact::runner

#endif // INTERACT_RUNNER_FUNCTION_H
