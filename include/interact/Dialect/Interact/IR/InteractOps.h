//===- InteractOps.h - interact op declarations -----------------*- C++ -*-===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTOPS_H
#define INTERACT_DIALECT_INTERACT_IR_INTERACTOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "interact/Dialect/Interact/IR/InteractDialect.h"
#include "interact/Dialect/Interact/IR/InteractInterfaces.h"

#define GET_ATTRDEF_CLASSES
#include "interact/Dialect/Interact/IR/InteractAttrs.h.inc"

#define GET_OP_CLASSES
#include "interact/Dialect/Interact/IR/InteractOps.h.inc"

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTOPS_H
