//===- StateColumns.cpp - A recurrent state held by columns ---------------===//

#include "interact/Kernels/StateColumns.h"

#include "interact/Kernels/VectorOps.h"
#include "interact/Utils/TensorBuilder.h"

#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mlir::interact;
using namespace mlir::interact::kernels;

Value kernels::forEachColumnPiece(
    ImplicitLocOpBuilder &b, const KernelConfig &config, int64_t n,
    int64_t width, Type ct, Value carried,
    function_ref<Value(ImplicitLocOpBuilder &, Value j, Value at, int64_t piece,
                       Value carried)>
        body) {
  int64_t piece = lanesFor(config, width, ct);
  TensorBuilder g(b);
  return g
      .forLoop(b.getIndexAttr(n * (width / piece)), carried,
               [&](TensorBuilder &lb, Value iv, ValueRange in) {
                 ImplicitLocOpBuilder &eb = lb.b;
                 Value pieces =
                     arith::ConstantIndexOp::create(eb, width / piece);
                 Value j = arith::DivUIOp::create(eb, iv, pieces);
                 Value at = arith::MulIOp::create(
                     eb, arith::RemUIOp::create(eb, iv, pieces),
                     arith::ConstantIndexOp::create(eb, piece));
                 return SmallVector<Value>{body(eb, j, at, piece, in[0])};
               })
      .getResult(0);
}

Value kernels::stateColumns(ImplicitLocOpBuilder &b, const KernelConfig &config,
                            Value init, Value bi, Value hi, Value p0, int64_t n,
                            int64_t width, Type ct) {
  Value buffer = scratch(b, {n, width}, ct);
  if (!init)
    return linalg::FillOp::create(b, floatConstant(b, b.getLoc(), ct, 0.0),
                                  buffer)
        .getResult(0);
  return forEachColumnPiece(
      b, config, n, width, ct, buffer,
      [&](ImplicitLocOpBuilder &eb, Value j, Value at, int64_t piece,
          Value out) {
        Value column = readRow(eb, config, init,
                               {bi, hi, arith::AddIOp::create(eb, p0, at), j},
                               piece, ct, /*dim=*/2);
        return writeRow(eb, config, column, out, {j, at});
      });
}

Value kernels::writeStateColumns(ImplicitLocOpBuilder &b,
                                 const KernelConfig &config, Value columns,
                                 Value tile) {
  auto tileType = cast<RankedTensorType>(tile.getType());
  int64_t width = tileType.getDimSize(0), n = tileType.getDimSize(1);
  Type ct = cast<RankedTensorType>(columns.getType()).getElementType();
  AffineMap alongRows = AffineMap::get(2, 0, b.getAffineDimExpr(0));
  return forEachColumnPiece(b, config, n, width, ct, tile,
                            [&](ImplicitLocOpBuilder &eb, Value j, Value at,
                                int64_t piece, Value out) {
                              Value column =
                                  readRow(eb, config, columns, {j, at}, piece,
                                          tileType.getElementType());
                              return vector::TransferWriteOp::create(
                                         eb, column, out, ValueRange{at, j},
                                         alongRows, ArrayRef<bool>{true})
                                  .getResult();
                            });
}
