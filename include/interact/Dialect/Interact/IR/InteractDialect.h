//===- InteractDialect.h - The interact dialect -----------------*- C++ -*-===//

#ifndef INTERACT_DIALECT_INTERACT_IR_INTERACTDIALECT_H
#define INTERACT_DIALECT_INTERACT_IR_INTERACTDIALECT_H

#include "mlir/IR/Dialect.h"

#include "interact/Dialect/Interact/IR/InteractDialect.h.inc"

#endif // INTERACT_DIALECT_INTERACT_IR_INTERACTDIALECT_H
