//===- DownstreamDialect.cpp - The downstream dialect ---------------------===//

#include "downstream/DownstreamDialect.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

#include "downstream/DownstreamDialect.cpp.inc"

#define GET_OP_CLASSES
#include "downstream/DownstreamOps.cpp.inc"

void downstream::DownstreamDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "downstream/DownstreamOps.cpp.inc"
      >();
}
