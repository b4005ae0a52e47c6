/* Every entry point of interact's CUDA runtime on a machine without a GPU:
   each returns NULL or nothing, records INTERACT_CUDA_NO_DEVICE (or
   BAD_HANDLE for NULL handles), and nothing crashes. */

#include "interact/Runtime/CudaRuntime.h"

#include <stdio.h>

static void report(const char *what) {
  int code;
  const char *message;
  int kind = interact_cuda_take_error(&code, &message);
  printf("%s: %d (%s)\n", what, kind, message);
}

int main(void) {
  static const char image[] = "not a cubin";
  void *module, *stream, *event, *memory, *function;
  printf("available: %d\n", interact_cuda_available());
  module = mgpuModuleLoad((void *)image, sizeof(image));
  printf("module recorded: %s\n", module ? "yes" : "no");
  report("module load");
  function = mgpuModuleGetFunction(module, "kernel");
  printf("function: %s\n", function ? "found" : "NULL");
  report("get function");
  mgpuLaunchKernel(NULL, 1, 1, 1, 32, 1, 1, 0, NULL, NULL, NULL, 0);
  report("launch without a kernel");
  mgpuLaunchKernel((void *)image, 1, 70000, 1, 32, 1, 1, 0, NULL, NULL, NULL,
                   0);
  report("launch of 70000 heads");
  stream = mgpuStreamCreate();
  report(stream ? "stream (non-NULL!)" : "stream");
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  report("stream synchronize and destroy");
  /* The caller's stream is handed back, and never synchronized or
     destroyed here: no driver call, so no error. */
  interact_cuda_set_stream((void *)0x1234);
  stream = mgpuStreamCreate();
  printf("caller's stream: %s\n", stream == (void *)0x1234 ? "yes" : "no");
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
  report("caller's stream synchronize and destroy");
  interact_cuda_clear_stream();
  stream = mgpuStreamCreate();
  report(stream ? "stream after clear (non-NULL!)" : "stream after clear");
  event = mgpuEventCreate();
  mgpuEventRecord(event, stream);
  mgpuEventSynchronize(event);
  mgpuEventDestroy(event);
  report("events");
  memory = mgpuMemAlloc(1024, NULL, 0);
  report(memory ? "alloc (non-NULL!)" : "alloc");
  mgpuMemset32(memory, 0, 256, NULL);
  mgpuMemcpy(memory, memory, 1024, NULL);
  mgpuMemFree(memory, NULL);
  report("memset, memcpy, free");
  mgpuLaunchClusterKernel(NULL, 1, 1, 1, 1, 1, 1, 32, 1, 1, 0, NULL, NULL,
                          NULL);
  report("cluster launch");
  mgpuModuleUnload(module);
  report("after all");
  return 0;
}
