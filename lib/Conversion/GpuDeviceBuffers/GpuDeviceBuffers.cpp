//===- GpuDeviceBuffers.cpp - Host buffers of a GPU module on the device --===//
//
// In a module compiled for a GPU, the host code only orchestrates: every
// buffer it holds is device memory, and only kernels touch elements. After
// bufferization this pass turns the host's allocations, deallocations and
// copies into their gpu dialect forms and rejects host code that would
// dereference a buffer.
//
//===----------------------------------------------------------------------===//

#include "interact/Conversion/GpuDeviceBuffers/GpuDeviceBuffers.h"

#include "interact/Conversion/Passes.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define DEBUG_TYPE "interact-gpu-device-buffers"

namespace mlir::interact {
#define GEN_PASS_DEF_GPUDEVICEBUFFERSPASS
#include "interact/Conversion/Passes.h.inc"
} // namespace mlir::interact

using namespace mlir;

namespace {

/// Whether `op` is device code: in a kernel or a GPU module.
bool onDevice(Operation *op) {
  return op->getParentOfType<gpu::LaunchOp>() ||
         op->getParentOfType<gpu::GPUModuleOp>() ||
         isa<gpu::LaunchOp, gpu::GPUModuleOp>(op);
}

/// Whether `op` reads or writes the elements of a buffer (not only its
/// descriptor): such host code would dereference device memory.
bool touchesElements(Operation *op) {
  // Launches, copies and memsets are device work on device memory.
  if (isa<gpu::GPUDialect>(op->getDialect()))
    return false;
  auto effects = dyn_cast<MemoryEffectOpInterface>(op);
  if (!effects)
    return false;
  SmallVector<MemoryEffects::EffectInstance> instances;
  effects.getEffects(instances);
  return llvm::any_of(instances, [](MemoryEffects::EffectInstance &e) {
    return isa<MemoryEffects::Read, MemoryEffects::Write>(e.getEffect()) &&
           e.getValue() && isa<BaseMemRefType>(e.getValue().getType());
  });
}

struct GpuDeviceBuffersPass
    : public interact::impl::GpuDeviceBuffersPassBase<GpuDeviceBuffersPass> {
  void runOnOperation() override {
    SmallVector<Operation *> host;
    getOperation().walk<WalkOrder::PreOrder>([&](Operation *op) {
      if (onDevice(op))
        return WalkResult::skip();
      host.push_back(op);
      return WalkResult::advance();
    });
    OpBuilder b(&getContext());
    for (Operation *op : host) {
      b.setInsertionPoint(op);
      Location loc = op->getLoc();
      if (auto alloc = dyn_cast<memref::AllocOp>(op)) {
        Value device = gpu::AllocOp::create(
                           b, loc, alloc.getType(), /*asyncToken=*/Type(),
                           ValueRange(), alloc.getDynamicSizes(),
                           alloc.getSymbolOperands(), /*hostShared=*/false)
                           .getMemref();
        alloc.replaceAllUsesWith(device);
        alloc.erase();
      } else if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
        // A device buffer lives until the function returns: deallocated
        // there, as the stack would.
        alloca.emitOpError("in host code of a GPU module: stack buffers "
                           "cannot live in device memory");
        return signalPassFailure();
      } else if (auto dealloc = dyn_cast<memref::DeallocOp>(op)) {
        gpu::DeallocOp::create(b, loc, /*asyncToken=*/Type(), ValueRange(),
                               dealloc.getMemref());
        dealloc.erase();
      } else if (auto copy = dyn_cast<memref::CopyOp>(op)) {
        auto source = cast<MemRefType>(copy.getSource().getType());
        auto target = cast<MemRefType>(copy.getTarget().getType());
        if (!source.getLayout().isIdentity() ||
            !target.getLayout().isIdentity()) {
          copy.emitOpError("in host code of a GPU module copies a strided "
                           "view; only dense device buffers can be copied");
          return signalPassFailure();
        }
        gpu::MemcpyOp::create(b, loc, /*asyncToken=*/Type(), ValueRange(),
                              copy.getTarget(), copy.getSource());
        copy.erase();
      } else if (isa<memref::GetGlobalOp>(op)) {
        op->emitOpError("is a constant tensor in host memory, which the "
                        "kernels of a GPU module cannot read: pass it as an "
                        "argument instead");
        return signalPassFailure();
      } else if (touchesElements(op)) {
        op->emitOpError("reads or writes buffer elements in host code of a "
                        "GPU module: its buffers are device memory, which "
                        "only kernels may touch (no GPU lowering for it)");
        return signalPassFailure();
      }
    }
  }
};

} // namespace

namespace {

struct LaunchFuncEffects
    : public MemoryEffectOpInterface::ExternalModel<LaunchFuncEffects,
                                                    gpu::LaunchFuncOp> {
  void
  getEffects(Operation *op,
             SmallVectorImpl<SideEffects::EffectInstance<MemoryEffects::Effect>>
                 &effects) const {
    // A launch is never dead: after the memref lowering its operands are
    // pointers, and the kernel still writes through them.
    effects.emplace_back(MemoryEffects::Write::get());
    for (OpOperand &operand : op->getOpOperands()) {
      if (!isa<BaseMemRefType>(operand.get().getType()))
        continue;
      effects.emplace_back(MemoryEffects::Read::get(), &operand);
      effects.emplace_back(MemoryEffects::Write::get(), &operand);
    }
  }
};

} // namespace

void mlir::interact::registerGpuLaunchFuncEffects(DialectRegistry &registry) {
  registry.addExtension(+[](MLIRContext *context, gpu::GPUDialect *) {
    gpu::LaunchFuncOp::attachInterface<LaunchFuncEffects>(*context);
  });
}
