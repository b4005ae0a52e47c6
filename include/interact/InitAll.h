//===- InitAll.h - Register everything interact provides --------*- C++ -*-===//
//
// One place that every tool, the plugin and embedding compilers call, so that
// they all see the same dialects and passes.
//
//===----------------------------------------------------------------------===//

#ifndef INTERACT_INITALL_H
#define INTERACT_INITALL_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::interact {

/// Adds the interact dialect to `registry`.
void registerAllDialects(DialectRegistry &registry);

/// Registers interact's passes with the global pass registry.
void registerAllPasses();

} // namespace mlir::interact

#endif // INTERACT_INITALL_H
