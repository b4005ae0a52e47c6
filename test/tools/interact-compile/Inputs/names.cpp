// Calls @free of names.mlir from C++ (the header must compile as C++ with
// arguments named `module` and `class`): a good call, then rows that do
// not agree, which the signature learned from the private helper.
#include "names.h"

#include <cstdio>
#include <cstdlib>

int main() {
  float a[12], b[12];
  for (int i = 0; i < 12; ++i) {
    a[i] = float(i);
    b[i] = 100.0f * float(i);
  }
  int64_t three[] = {3, 4}, two[] = {2, 4};
  interact_tensor x = interact_tensor_contiguous(a, INTERACT_F32, 2, three);
  interact_tensor y = interact_tensor_contiguous(b, INTERACT_F32, 2, three);
  interact_tensor r{};
  int status = names_free(&x, &y, &r);
  std::printf("good: %d, r[11] = %g\n", status,
              status ? 0.0 : double(static_cast<float *>(r.data)[11]));
  names_tensor_free(&r);
  interact_tensor z = interact_tensor_contiguous(b, INTERACT_F32, 2, two);
  status = names_free(&x, &z, &r);
  std::printf("mismatch: %d %s\n", status, names_last_error());
  return 0;
}
