//===- downstream-opt.cpp - An opt tool with interact and its own dialect -===//
//
// mlir-opt for a compiler that links interact: the upstream dialects its
// inputs use, interact's dialect and passes (interact/InitAll.h, the calls
// interact-opt and interact's mlir-opt plugin make) and its own dialect.
//
//===----------------------------------------------------------------------===//

#include "downstream/DownstreamDialect.h"

#include "interact/InitAll.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::registerTransformsPasses();
  mlir::interact::registerAllPasses();

  mlir::DialectRegistry registry;
  registry.insert<downstream::DownstreamDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::tensor::TensorDialect>();
  mlir::interact::registerAllDialects(registry);

  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "downstream optimizer driver\n", registry));
}
