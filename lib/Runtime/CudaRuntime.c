/*===- CudaRuntime.c - interact's host runtime over the CUDA driver -------===*\
|*                                                                            *|
|* include/interact/Runtime/CudaRuntime.h says what and why. The driver's    *|
|* entry points are looked up with dlsym under the names cuda.h maps them to *|
|* (cuMemAlloc is cuMemAlloc_v2), typed by cuda.h's own prototypes.          *|
|*                                                                            *|
|* mgpuModuleLoad runs in a global constructor when a compiled library is    *|
|* loaded, before anyone may touch CUDA (and on machines with no GPU): it    *|
|* only records the image, and the module is loaded on first use.           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "interact/Runtime/CudaRuntime.h"

#include <cuda.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>

#define NAME(symbol) NAME_(symbol)
#define NAME_(symbol) #symbol

/* The driver entry points used, each a pointer of cuda.h's type. */
#define DRIVER_FUNCTIONS(X)                                                    \
  X(cuInit)                                                                    \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxPushCurrent)                                                          \
  X(cuCtxPopCurrent)                                                           \
  X(cuGetErrorString)                                                          \
  X(cuModuleLoadData)                                                          \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventRecord)                                                             \
  X(cuEventSynchronize)                                                        \
  X(cuMemAlloc)                                                                \
  X(cuMemAllocAsync)                                                           \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemFreeAsync)                                                            \
  X(cuMemcpyAsync)                                                             \
  X(cuMemsetD32Async)                                                          \
  X(cuMemsetD16Async)

#define DECLARE(function) static __typeof__(&function) driver_##function;
DRIVER_FUNCTIONS(DECLARE)
#undef DECLARE

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int status = INTERACT_CUDA_NO_DEVICE;
static CUcontext context;

static _Thread_local int error, error_code;
/* The caller's stream (interact_cuda_set_stream), for this thread's calls. */
static _Thread_local int caller_stream_set;
static _Thread_local CUstream caller_stream;
static _Thread_local const char *error_message;

static void record(int kind, int code, const char *message) {
  if (error)
    return;
  error = kind;
  error_code = code;
  error_message = message;
}

static void record_driver(CUresult result) {
  const char *message = "a CUDA driver call failed";
  if (driver_cuGetErrorString)
    driver_cuGetErrorString(result, &message);
  record(INTERACT_CUDA_DRIVER_ERROR, (int)result, message);
}

static void load_driver(void) {
  void *handle = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  int count = 0;
  CUdevice device;
  if (!handle)
    return;
#define LOOK_UP(function)                                                      \
  driver_##function = (__typeof__(&function))dlsym(handle, NAME(function));    \
  if (!driver_##function)                                                      \
    return;
  DRIVER_FUNCTIONS(LOOK_UP)
#undef LOOK_UP
  if (driver_cuInit(0) != CUDA_SUCCESS ||
      driver_cuDeviceGetCount(&count) != CUDA_SUCCESS || count == 0 ||
      driver_cuDeviceGet(&device, 0) != CUDA_SUCCESS ||
      driver_cuDevicePrimaryCtxRetain(&context, device) != CUDA_SUCCESS)
    return;
  status = INTERACT_CUDA_OK;
}

/* Makes the primary context current; 0 (with the error recorded) when
   there is no device. */
static int enter(void) {
  CUresult result;
  pthread_once(&once, load_driver);
  if (status != INTERACT_CUDA_OK) {
    record(INTERACT_CUDA_NO_DEVICE, 0, "no CUDA device");
    return 0;
  }
  result = driver_cuCtxPushCurrent(context);
  if (result != CUDA_SUCCESS) {
    record_driver(result);
    return 0;
  }
  return 1;
}

static void leave(void) {
  CUcontext popped;
  driver_cuCtxPopCurrent(&popped);
}

static void check(CUresult result) {
  if (result != CUDA_SUCCESS)
    record_driver(result);
}

int interact_cuda_available(void) {
  pthread_once(&once, load_driver);
  return status == INTERACT_CUDA_OK;
}

int interact_cuda_take_error(int *driver_code, const char **message) {
  int kind = error;
  if (driver_code)
    *driver_code = error_code;
  if (message)
    *message = kind ? error_message : "";
  error = error_code = 0;
  error_message = NULL;
  return kind;
}

/*===----------------------------------------------------------------------===*/
/* Modules, loaded on first use                                               */
/*===----------------------------------------------------------------------===*/

typedef struct lazy_module {
  const void *image;
  CUmodule module;
  pthread_mutex_t mutex;
} lazy_module;

void *mgpuModuleLoad(void *data, size_t size) {
  lazy_module *m = calloc(1, sizeof(*m));
  (void)size;
  if (!m)
    return NULL;
  m->image = data;
  pthread_mutex_init(&m->mutex, NULL);
  return m;
}

void *mgpuModuleLoadJIT(void *data, int optLevel) {
  (void)optLevel; /* cuModuleLoadData compiles PTX too */
  return mgpuModuleLoad(data, 0);
}

void mgpuModuleUnload(void *module) {
  /* At exit (a global destructor) the driver may be gone: the module is
     left to the process's end. */
  free(module);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  lazy_module *m = module;
  CUfunction function = NULL;
  if (!m) {
    record(INTERACT_CUDA_BAD_HANDLE, 0, "no module");
    return NULL;
  }
  if (!enter())
    return NULL;
  pthread_mutex_lock(&m->mutex);
  if (!m->module)
    check(driver_cuModuleLoadData(&m->module, m->image));
  if (m->module)
    check(driver_cuModuleGetFunction(&function, m->module, name));
  pthread_mutex_unlock(&m->mutex);
  leave();
  return function;
}

/*===----------------------------------------------------------------------===*/
/* Launches, streams, events, memory                                          */
/*===----------------------------------------------------------------------===*/

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  if (!function) {
    record(INTERACT_CUDA_BAD_HANDLE, 0, "no kernel");
    return;
  }
  /* After a failure (an allocation, say), the rest of the work is not
     launched: it could only fault on the buffers that are missing. An empty
     grid (a batch of 0) has nothing to do. */
  if (error || gridX <= 0 || gridY <= 0 || gridZ <= 0)
    return;
  /* The kernels put heads in y and the batch in z: CUDA caps both. */
  if (gridX > 2147483647 || gridY > 65535 || gridZ > 65535) {
    record(INTERACT_CUDA_UNSUPPORTED, 0,
           "a launch's grid exceeds CUDA's limits (x < 2^31, y and z <= "
           "65535: more than 65535 heads or batch elements)");
    return;
  }
  if (!enter())
    return;
  /* Dynamic shared memory above 48 KiB needs an opt-in. */
  if (smem > 48 * 1024)
    check(driver_cuFuncSetAttribute(
        function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem));
  check(driver_cuLaunchKernel(function, (unsigned)gridX, (unsigned)gridY,
                              (unsigned)gridZ, (unsigned)blockX,
                              (unsigned)blockY, (unsigned)blockZ,
                              (unsigned)smem, stream, params, extra));
  leave();
}

void mgpuLaunchClusterKernel(void *function, intptr_t clusterX,
                             intptr_t clusterY, intptr_t clusterZ,
                             intptr_t gridX, intptr_t gridY, intptr_t gridZ,
                             intptr_t blockX, intptr_t blockY, intptr_t blockZ,
                             int32_t smem, void *stream, void **params,
                             void **extra) {
  (void)function, (void)clusterX, (void)clusterY, (void)clusterZ;
  (void)gridX, (void)gridY, (void)gridZ, (void)blockX, (void)blockY;
  (void)blockZ, (void)smem, (void)stream, (void)params, (void)extra;
  record(INTERACT_CUDA_UNSUPPORTED, 0, "cluster launches are not supported");
}

void interact_cuda_set_stream(void *stream) {
  caller_stream = stream;
  caller_stream_set = 1;
}

void interact_cuda_clear_stream(void) {
  caller_stream = NULL;
  caller_stream_set = 0;
}

/* Whether `stream` is the caller's: it is not created, synchronized or
   destroyed here. */
static int is_caller_stream(void *stream) {
  return caller_stream_set && stream == caller_stream;
}

void *mgpuStreamCreate(void) {
  CUstream stream = NULL;
  if (caller_stream_set)
    return caller_stream;
  if (!enter())
    return NULL;
  check(driver_cuStreamCreate(&stream, CU_STREAM_NON_BLOCKING));
  leave();
  return stream;
}

void mgpuStreamDestroy(void *stream) {
  if (!is_caller_stream(stream) && enter()) {
    check(driver_cuStreamDestroy(stream));
    leave();
  }
}

void mgpuStreamSynchronize(void *stream) {
  if (!is_caller_stream(stream) && enter()) {
    check(driver_cuStreamSynchronize(stream));
    leave();
  }
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (enter()) {
    check(driver_cuStreamWaitEvent(stream, event, 0));
    leave();
  }
}

void *mgpuEventCreate(void) {
  CUevent event = NULL;
  if (!enter())
    return NULL;
  check(driver_cuEventCreate(&event, CU_EVENT_DISABLE_TIMING));
  leave();
  return event;
}

void mgpuEventDestroy(void *event) {
  if (enter()) {
    check(driver_cuEventDestroy(event));
    leave();
  }
}

void mgpuEventSynchronize(void *event) {
  if (enter()) {
    check(driver_cuEventSynchronize(event));
    leave();
  }
}

void mgpuEventRecord(void *event, void *stream) {
  if (enter()) {
    check(driver_cuEventRecord(event, stream));
    leave();
  }
}

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared) {
  CUdeviceptr pointer = 0;
  if (bytes == 0 || !enter())
    return NULL;
  /* Stream-ordered from the driver's pool where there is a stream: no
     synchronization, and memory reused at once across calls. */
  if (isHostShared)
    check(driver_cuMemAllocManaged(&pointer, bytes, CU_MEM_ATTACH_GLOBAL));
  else if (stream)
    check(driver_cuMemAllocAsync(&pointer, bytes, stream));
  else
    check(driver_cuMemAlloc(&pointer, bytes));
  leave();
  return (void *)(uintptr_t)pointer;
}

void mgpuMemFree(void *pointer, void *stream) {
  if (pointer && enter()) {
    if (stream)
      check(driver_cuMemFreeAsync((CUdeviceptr)(uintptr_t)pointer, stream));
    else
      check(driver_cuMemFree((CUdeviceptr)(uintptr_t)pointer));
    leave();
  }
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (enter()) {
    check(driver_cuMemcpyAsync((CUdeviceptr)(uintptr_t)dst,
                               (CUdeviceptr)(uintptr_t)src, bytes, stream));
    leave();
  }
}

void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream) {
  if (enter()) {
    check(driver_cuMemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count,
                                  stream));
    leave();
  }
}

void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream) {
  if (enter()) {
    check(driver_cuMemsetD16Async((CUdeviceptr)(uintptr_t)dst, value, count,
                                  stream));
    leave();
  }
}

void mgpuSetDefaultDevice(int32_t device) {
  /* Device 0 only, for now: the primary context of the first GPU. */
  if (device != 0)
    record(INTERACT_CUDA_UNSUPPORTED, 0, "only device 0 is supported");
}
