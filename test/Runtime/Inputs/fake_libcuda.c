/* A stand-in for libcuda.so.1 on machines without a GPU, for tests of the
   host side of GPU libraries: one "device" whose memory is host memory,
   modules that load anything, and launches that run nothing but are
   recorded (fake_cuda_launches, fake_cuda_last_launch; the first
   $FAKE_CUDA_PARAMS parameters, read as pointer-sized words, by
   fake_cuda_param: cuLaunchKernel is not told their count). Streams are
   pointers; allocations are counted. Every entry point interact's runtime
   looks up is defined, under the names cuda.h maps them to. */

#include <cuda.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

static int launches, allocations, frees;
static uint64_t last_params[64];
static int last_count;
static unsigned last_grid[3], last_block[3];
static CUstream last_stream;

EXPORT int fake_cuda_launches(void) { return launches; }
EXPORT int fake_cuda_allocations(void) { return allocations; }
EXPORT int fake_cuda_frees(void) { return frees; }
/* The last launch's grid, block and stream, and its parameter `i` read as
   a pointer-sized word (a memref descriptor's fields are such words). */
EXPORT void fake_cuda_last_launch(unsigned *grid, unsigned *block,
                                  void **stream) {
  memcpy(grid, last_grid, sizeof last_grid);
  memcpy(block, last_block, sizeof last_block);
  *stream = last_stream;
}
EXPORT uint64_t fake_cuda_param(int i) {
  return i >= 0 && i < last_count ? last_params[i] : 0;
}

EXPORT CUresult cuInit(unsigned flags) { return (void)flags, CUDA_SUCCESS; }
EXPORT CUresult cuDeviceGetCount(int *count) {
  *count = 1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDeviceGet(CUdevice *device, int ordinal) {
  *device = ordinal;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuDevicePrimaryCtxRetain(CUcontext *context, CUdevice dev) {
  (void)dev;
  *context = (CUcontext)(uintptr_t)0x1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuCtxPushCurrent(CUcontext context) {
  return (void)context, CUDA_SUCCESS;
}
EXPORT CUresult cuCtxPopCurrent(CUcontext *context) {
  *context = (CUcontext)(uintptr_t)0x1;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuGetErrorString(CUresult error, const char **message) {
  (void)error;
  *message = "fake driver error";
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleLoadData(CUmodule *module, const void *image) {
  (void)image;
  *module = (CUmodule)(uintptr_t)0x2;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuModuleGetFunction(CUfunction *function, CUmodule module,
                                    const char *name) {
  (void)module, (void)name;
  *function = (CUfunction)(uintptr_t)0x3;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuFuncSetAttribute(CUfunction f, CUfunction_attribute a,
                                   int v) {
  return (void)f, (void)a, (void)v, CUDA_SUCCESS;
}
EXPORT CUresult cuLaunchKernel(CUfunction f, unsigned gx, unsigned gy,
                               unsigned gz, unsigned bx, unsigned by,
                               unsigned bz, unsigned smem, CUstream stream,
                               void **params, void **extra) {
  (void)f, (void)smem, (void)extra;
  ++launches;
  last_grid[0] = gx, last_grid[1] = gy, last_grid[2] = gz;
  last_block[0] = bx, last_block[1] = by, last_block[2] = bz;
  last_stream = stream;
  {
    const char *count = getenv("FAKE_CUDA_PARAMS");
    int i;
    last_count = count ? atoi(count) : 0;
    if (last_count > 64)
      last_count = 64;
    for (i = 0; i < last_count; ++i)
      memcpy(&last_params[i], params[i], sizeof(uint64_t));
  }
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamCreate(CUstream *stream, unsigned flags) {
  (void)flags;
  *stream = (CUstream)(uintptr_t)0x4;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuStreamDestroy(CUstream s) { return (void)s, CUDA_SUCCESS; }
EXPORT CUresult cuStreamSynchronize(CUstream s) {
  return (void)s, CUDA_SUCCESS;
}
EXPORT CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned flags) {
  return (void)s, (void)e, (void)flags, CUDA_SUCCESS;
}
EXPORT CUresult cuEventCreate(CUevent *event, unsigned flags) {
  (void)flags;
  *event = (CUevent)(uintptr_t)0x5;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuEventDestroy(CUevent e) { return (void)e, CUDA_SUCCESS; }
EXPORT CUresult cuEventRecord(CUevent e, CUstream s) {
  return (void)e, (void)s, CUDA_SUCCESS;
}
EXPORT CUresult cuEventSynchronize(CUevent e) { return (void)e, CUDA_SUCCESS; }
static CUresult allocate(CUdeviceptr *pointer, size_t bytes) {
  ++allocations;
  *pointer = (CUdeviceptr)(uintptr_t)malloc(bytes);
  return *pointer ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
EXPORT CUresult cuMemAlloc(CUdeviceptr *pointer, size_t bytes) {
  return allocate(pointer, bytes);
}
EXPORT CUresult cuMemAllocAsync(CUdeviceptr *pointer, size_t bytes,
                                CUstream s) {
  (void)s;
  return allocate(pointer, bytes);
}
EXPORT CUresult cuMemAllocManaged(CUdeviceptr *pointer, size_t bytes,
                                  unsigned flags) {
  (void)flags;
  return allocate(pointer, bytes);
}
EXPORT CUresult cuMemFree(CUdeviceptr pointer) {
  ++frees;
  free((void *)(uintptr_t)pointer);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemFreeAsync(CUdeviceptr pointer, CUstream s) {
  (void)s;
  return cuMemFree(pointer);
}
EXPORT CUresult cuMemcpyAsync(CUdeviceptr dst, CUdeviceptr src, size_t bytes,
                              CUstream s) {
  (void)s;
  memcpy((void *)(uintptr_t)dst, (void *)(uintptr_t)src, bytes);
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemsetD32Async(CUdeviceptr dst, unsigned value, size_t n,
                                 CUstream s) {
  unsigned *p = (unsigned *)(uintptr_t)dst;
  (void)s;
  while (n--)
    *p++ = value;
  return CUDA_SUCCESS;
}
EXPORT CUresult cuMemsetD16Async(CUdeviceptr dst, unsigned short value,
                                 size_t n, CUstream s) {
  unsigned short *p = (unsigned short *)(uintptr_t)dst;
  (void)s;
  while (n--)
    *p++ = value;
  return CUDA_SUCCESS;
}
