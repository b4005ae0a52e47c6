/* Calls gpu-library.test's GPU library (an elementwise sum) against the
   fake CUDA driver of test/Runtime/Inputs/fake_libcuda.c, whose "device
   memory" is host memory and whose launches only record themselves: the
   host side of a GPU library, end to end, without a GPU. */
#include "add.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>

/* The parameter words of the add kernel: three rank-2 memref descriptors
   (7 words each) and two sizes. */
#define PARAMS 23

int main(void) {
  static float a[16], b[16], sum[16];
  int64_t shape[2] = {2, 8}, empty_shape[2] = {0, 8};
  interact_tensor ta = interact_tensor_contiguous(a, INTERACT_F32, 2, shape);
  interact_tensor tb = interact_tensor_contiguous(b, INTERACT_F32, 2, shape);
  interact_tensor out = interact_tensor_contiguous(sum, INTERACT_F32, 2, shape);
  interact_tensor owned = {0};
  interact_call_options options = {0, (void *)(uintptr_t)0x77};
  void *driver = dlopen("libcuda.so.1", RTLD_NOW);
  int (*launches)(void), (*allocations)(void), (*frees)(void);
  void (*last_launch)(unsigned *, unsigned *, void **);
  uint64_t (*param)(int);
  unsigned grid[3], block[3];
  void *stream;
  int status, i, found = 0;
  if (!driver) {
    printf("no fake driver\n");
    return 1;
  }
  *(void **)&launches = dlsym(driver, "fake_cuda_launches");
  *(void **)&allocations = dlsym(driver, "fake_cuda_allocations");
  *(void **)&frees = dlsym(driver, "fake_cuda_frees");
  *(void **)&last_launch = dlsym(driver, "fake_cuda_last_launch");
  *(void **)&param = dlsym(driver, "fake_cuda_param");

  /* Into the caller's buffer, on the caller's stream: one launch, no
     allocation, and the kernel is given the caller's buffer. */
  {
    const interact_tensor inputs[2] = {ta, tb};
    status = add_call("add", inputs, 2, &out, 1, &options);
  }
  last_launch(grid, block, &stream);
  for (i = 0; i < PARAMS; ++i)
    found |= param(i) == (uint64_t)(uintptr_t)sum;
  printf("caller's buffer: status %d, launches %d, allocations %d, grid %u "
         "%u %u, block %u %u %u, stream %p, writes the caller's buffer: %s\n",
         status, launches(), allocations(), grid[0], grid[1], grid[2], block[0],
         block[1], block[2], stream, found ? "yes" : "no");

  /* Allocated by the library: device memory the output owns, freed by
     tensor_free. The default stream is NULL. */
  status = add_add(&ta, &tb, &owned);
  last_launch(grid, block, &stream);
  printf("library's buffer: status %d, launches %d, allocations %d, owned "
         "%s, shape %lld x %lld, stream %p\n",
         status, launches(), allocations(),
         owned.data && owned.owner == owned.data ? "yes" : "no",
         (long long)owned.shape[0], (long long)owned.shape[1], stream);
  add_tensor_free(&owned);
  printf("freed: %d\n", frees());

  /* An empty batch launches nothing. */
  ta = interact_tensor_contiguous(a, INTERACT_F32, 2, empty_shape);
  tb = interact_tensor_contiguous(b, INTERACT_F32, 2, empty_shape);
  out = interact_tensor_contiguous(sum, INTERACT_F32, 2, empty_shape);
  status = add_add(&ta, &tb, &out);
  printf("empty batch: status %d, launches %d\n", status, launches());

  /* A strided view is refused. */
  ta = interact_tensor_contiguous(a, INTERACT_F32, 2, shape);
  tb = interact_tensor_contiguous(b, INTERACT_F32, 2, shape);
  ta.strides[0] = 1, ta.strides[1] = 2;
  out = interact_tensor_contiguous(sum, INTERACT_F32, 2, shape);
  status = add_add(&ta, &tb, &out);
  printf("strided: status %d: %s\n", status, add_last_error());
  return 0;
}
