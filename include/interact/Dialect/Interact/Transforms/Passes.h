//===- Passes.h - interact dialect transformation passes --------*- C++ -*-===//

#ifndef INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_H
#define INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_H

#include "interact/Dialect/Interact/IR/InteractDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Pass/Pass.h"

namespace mlir::interact {

#define GEN_PASS_DECL
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "interact/Dialect/Interact/Transforms/Passes.h.inc"

} // namespace mlir::interact

#endif // INTERACT_DIALECT_INTERACT_TRANSFORMS_PASSES_H
