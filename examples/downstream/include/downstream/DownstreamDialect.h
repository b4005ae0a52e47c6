//===- DownstreamDialect.h - The downstream dialect -------------*- C++ -*-===//

#ifndef DOWNSTREAM_DOWNSTREAMDIALECT_H
#define DOWNSTREAM_DOWNSTREAMDIALECT_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "downstream/DownstreamDialect.h.inc"

#define GET_OP_CLASSES
#include "downstream/DownstreamOps.h.inc"

#endif // DOWNSTREAM_DOWNSTREAMDIALECT_H
