/*===- CudaRuntime.h - interact's host runtime over the CUDA driver -------===*\
|*                                                                            *|
|* The host code MLIR's gpu-to-llvm lowering emits calls mgpu* functions:     *|
|* load a module from an embedded cubin, get a kernel, launch it, manage      *|
|* streams, events and memory. Debian packages no libmlir_cuda_runtime, so    *|
|* interact has its own (lib/Runtime/CudaRuntime.c). It is built with         *|
|* cuda.h's types only and opens libcuda.so.1 with dlopen on first use: a     *|
|* library that holds it loads on a machine with no NVIDIA driver, and there  *|
|* every entry point records INTERACT_CUDA_NO_DEVICE and returns (NULL, or    *|
|* nothing), never crashes.                                                   *|
|*                                                                            *|
|* The mgpu* signatures are MLIR 22's (mlir/lib/ExecutionEngine/              *|
|* CudaRuntimeWrappers.cpp). Kernels run in the device's primary context,     *|
|* the one PyTorch uses, so that tensors and streams pass between them.      *|
|* Errors are per thread: the first since the last interact_cuda_take_error. *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef INTERACT_RUNTIME_CUDARUNTIME_H
#define INTERACT_RUNTIME_CUDARUNTIME_H

#include <stddef.h>
#include <stdint.h>
#ifndef __cplusplus
#include <stdbool.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

typedef enum interact_cuda_status {
  INTERACT_CUDA_OK = 0,
  INTERACT_CUDA_NO_DEVICE = 1, /* no libcuda.so.1, cuInit failed, or no GPU */
  INTERACT_CUDA_DRIVER_ERROR = 2, /* a driver call failed: see driver_code */
  INTERACT_CUDA_BAD_HANDLE = 3,   /* a NULL module or kernel */
  INTERACT_CUDA_UNSUPPORTED = 4   /* not implemented here (cluster launch) */
} interact_cuda_status;

/* 1 when the driver loads and device 0 has a primary context, else 0. */
int interact_cuda_available(void);

/* The calling thread's first error since the last call (0 if none), with
   the driver's CUresult in *driver_code and a message in *message (static
   storage; either pointer may be NULL); clears it. */
int interact_cuda_take_error(int *driver_code, const char **message);

/* MLIR 22's host-code contract. */
/* Makes `stream` (a CUstream; NULL is the default stream) the one this
   thread's launches, allocations and copies use: mgpuStreamCreate returns
   it, and mgpuStreamSynchronize and mgpuStreamDestroy leave it alone, so a
   compiled function queues its work on the caller's stream and returns
   without waiting (interact-compile's GPU libraries set it per call). */
void interact_cuda_set_stream(void *stream);
/* Back to a stream created per mgpuStreamCreate. */
void interact_cuda_clear_stream(void);

void *mgpuModuleLoad(void *data, size_t size);
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra);
void *mgpuStreamCreate(void);
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate(void);
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
void mgpuSetDefaultDevice(int32_t device);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* INTERACT_RUNTIME_CUDARUNTIME_H */
