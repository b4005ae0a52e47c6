//===- InteractDialect.cpp - The interact dialect -------------------------===//

#include "interact/Dialect/Interact/IR/InteractDialect.h"
#include "interact/Dialect/Interact/IR/InteractOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::interact;

#include "interact/Dialect/Interact/IR/InteractDialect.cpp.inc"
#include "interact/Dialect/Interact/IR/InteractEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "interact/Dialect/Interact/IR/InteractAttrs.cpp.inc"

void InteractDialect::initialize() {
  addAttributes<
#define GET_ATTRDEF_LIST
#include "interact/Dialect/Interact/IR/InteractAttrs.cpp.inc"
      >();
  addOperations<
#define GET_OP_LIST
#include "interact/Dialect/Interact/IR/InteractOps.cpp.inc"
      >();
}
