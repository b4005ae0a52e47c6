//===- InteractToGPU.cpp - The convert-interact-to-gpu pass ---------------===//
//
// Replaces each interact op by buffers and a kernel launch: operands become
// bufferization.to_buffer, results memref.alloc filled by the kernel that
// Scan.cpp or Attention.cpp emits, wrapped back by bufferization.to_tensor.
// One-Shot Bufferize folds the casts away; interact-gpu-device-buffers then
// makes the allocations device memory.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/InteractToGPU/InteractToGPU.h"

#include "interact/Conversion/Passes.h"
#include "interact/Dialect/Interact/IR/InteractOps.h"
#include "interact/Target/Target.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinTypes.h"

#include "llvm/ADT/TypeSwitch.h"

#define DEBUG_TYPE "convert-interact-to-gpu"

namespace mlir::interact {
#define GEN_PASS_DEF_CONVERTINTERACTTOGPUPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;
using namespace mlir::interact;

namespace {

/// The identity-layout buffer of `tensor`.
Value toBuffer(OpBuilder &b, Location loc, Value tensor) {
  if (!tensor)
    return Value();
  auto type = cast<RankedTensorType>(tensor.getType());
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return bufferization::ToBufferOp::create(b, loc, memref, tensor,
                                           /*read_only=*/true);
}

/// A new buffer of `type` whose dynamic sizes are those of `like`'s
/// dimensions `dims` (one per dynamic size, in order).
Value allocLike(OpBuilder &b, Location loc, RankedTensorType type, Value like,
                ArrayRef<int64_t> dims) {
  SmallVector<Value> sizes;
  for (int64_t i = 0, e = type.getRank(); i < e; ++i)
    if (type.isDynamicDim(i))
      sizes.push_back(memref::DimOp::create(b, loc, like, dims[i]));
  auto memref = MemRefType::get(type.getShape(), type.getElementType());
  return memref::AllocOp::create(b, loc, memref, sizes);
}

Value toTensor(OpBuilder &b, Location loc, Value buffer, Type type) {
  return bufferization::ToTensorOp::create(b, loc, type, buffer,
                                           /*restrict=*/true,
                                           /*writable=*/true);
}

/// Scans: y is b x t x h x p (b, t from x), the final state b x h x p x n
/// (b from x).
template <typename ScanLikeOp>
LogicalResult lowerScan(ScanLikeOp op, const GPUKernelOptions &options) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  ScanBuffers buffers;
  buffers.x = toBuffer(b, loc, op.getX());
  buffers.a = toBuffer(b, loc, op.getA());
  buffers.B = toBuffer(b, loc, op.getB());
  buffers.C = toBuffer(b, loc, op.getC());
  buffers.initState = toBuffer(b, loc, op.getInitState());
  auto yType = cast<RankedTensorType>(op.getY().getType());
  auto stateType = cast<RankedTensorType>(op.getFinalState().getType());
  buffers.y = allocLike(b, loc, yType, buffers.x, {0, 1, 2, 3});
  buffers.finalState = allocLike(b, loc, stateType, buffers.x, {0, 2, 3, 3});
  if (failed(emitScanKernel(b, loc, buffers, options)))
    return failure();
  Value y = toTensor(b, loc, buffers.y, yType);
  Value state = toTensor(b, loc, buffers.finalState, stateType);
  op.getY().replaceAllUsesWith(y);
  op.getFinalState().replaceAllUsesWith(state);
  op.erase();
  return success();
}

/// Attention: y is b x t x H x p (b, t from q).
LogicalResult lowerAttention(AttentionOp op, const GPUKernelOptions &options) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  AttentionBuffers buffers;
  buffers.q = toBuffer(b, loc, op.getQ());
  buffers.k = toBuffer(b, loc, op.getK());
  buffers.v = toBuffer(b, loc, op.getV());
  buffers.decay = toBuffer(b, loc, op.getDecay());
  buffers.kernel = op.getKernel();
  buffers.mask = op.getMask();
  buffers.scale = op.getScale().convertToFloat();
  auto yType = cast<RankedTensorType>(op.getY().getType());
  buffers.y = allocLike(b, loc, yType, buffers.q, {0, 1, 2, 3});
  if (failed(emitAttentionKernel(b, loc, buffers, options)))
    return failure();
  op.getY().replaceAllUsesWith(toTensor(b, loc, buffers.y, yType));
  op.erase();
  return success();
}

struct ConvertInteractToGPUPass
    : public interact::impl::ConvertInteractToGPUPassBase<
          ConvertInteractToGPUPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<Operation *> ops;
    module.walk([&](Operation *op) {
      if (isa<InteractDialect>(op->getDialect()))
        ops.push_back(op);
    });
    if (ops.empty())
      return;
    FailureOr<Target> target = getTarget(module);
    if (failed(target))
      return signalPassFailure();
    if (target->kind != TargetKind::GPU) {
      module.emitError() << "convert-interact-to-gpu builds GPU kernels, but "
                            "target '"
                         << target->name
                         << "' is a CPU (its kernels are "
                            "convert-interact-to-linalg's)";
      return signalPassFailure();
    }
    GPUKernelOptions options;
    options.scanPTile = scanPTile;
    options.scanTimeBlock = scanTimeBlock;
    options.attentionBlockQ = attentionBlockQ;
    options.attentionBlockK = attentionBlockK;
    for (Operation *op : ops) {
      LogicalResult lowered =
          llvm::TypeSwitch<Operation *, LogicalResult>(op)
              .Case<ScanOp, ChunkedScanOp>(
                  [&](auto scan) { return lowerScan(scan, options); })
              .Case<AttentionOp>([&](AttentionOp attention) {
                return lowerAttention(attention, options);
              })
              .Default([](Operation *op) {
                return op->emitOpError("has no GPU lowering");
              });
      if (failed(lowered))
        return signalPassFailure();
    }
  }
};

} // namespace
