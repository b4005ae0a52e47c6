/* Calls gpu-library.test's GPU library with a tensor that is not dense:
   refused before any device memory is touched, by the missing GPU where
   there is none, else by the layout. */
#include "add.h"

#include <stdio.h>

int main(void) {
  static float a[16], b[16];
  int64_t shape[2] = {2, 8};
  interact_tensor ta = interact_tensor_contiguous(a, INTERACT_F32, 2, shape);
  interact_tensor tb = interact_tensor_contiguous(b, INTERACT_F32, 2, shape);
  interact_tensor out = {0};
  int status;
  ta.strides[0] = 1, ta.strides[1] = 2; /* column-major: not dense */
  printf("signature: %s\n", add_signature());
  status = add_add(&ta, &tb, &out);
  printf("status %d: %s\n", status, add_last_error());
  printf("output %s\n", out.data || out.owner ? "written" : "untouched");
  return status == 12 ? 0 : 1;
}
