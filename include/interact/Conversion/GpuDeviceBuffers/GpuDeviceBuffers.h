//===- GpuDeviceBuffers.h - Host buffers of GPU modules ---------*- C++ -*-===//

#ifndef INTERACT_CONVERSION_GPUDEVICEBUFFERS_GPUDEVICEBUFFERS_H
#define INTERACT_CONVERSION_GPUDEVICEBUFFERS_GPUDEVICEBUFFERS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::interact {

/// Gives `gpu.launch_func` memory effects: it reads and writes every buffer
/// it is passed (its kernel may), and writes memory whatever its operands.
/// Upstream declares none, and the buffer deallocation the GPU pipeline runs
/// after bufferization refuses ops with unknown effects on buffers; an inline
/// `gpu.launch` already has its body's effects.
void registerGpuLaunchFuncEffects(DialectRegistry &registry);

} // namespace mlir::interact

#endif // INTERACT_CONVERSION_GPUDEVICEBUFFERS_GPUDEVICEBUFFERS_H
