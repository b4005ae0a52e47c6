/* Calls the SSD layer of examples/ssd_layer.mlir from C, through the library
   interact-compile makes of it, and checks it against a float64 recurrence
   written here:

     interact-compile examples/ssd_layer.mlir --target=host -o out/libssd.so
     cc -O2 examples/c/ssd_layer.c -I out -L out -lssd -Wl,-rpath,'$ORIGIN' \
        -o out/ssd_layer -lm
     out/ssd_layer 2 100

   The layer (DESIGN.md): S_t = exp(a_t) S_{t-1} + x_t B_t^T per head (S is
   p x n), y_t = S_t C_t. The outputs are allocated by the caller here, with
   shapes from ssd_output_shapes; pass data = NULL to have the library
   allocate them instead (freed with ssd_tensor_free). */

#include "ssd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

enum { H = 8, P = 64, N = 64 };

static float uniform(void) { return (float)rand() / (float)RAND_MAX; }

int main(int argc, char **argv) {
  int64_t b = argc > 1 ? atoll(argv[1]) : 2,
          t = argc > 2 ? atoll(argv[2]) : 100;
  int64_t i, bi, ti, h, p, n;
  float *x = malloc(sizeof(float) * b * t * H * P);
  float *a = malloc(sizeof(float) * b * t * H);
  float *B = malloc(sizeof(float) * b * t * N);
  float *C = malloc(sizeof(float) * b * t * N);
  double *S = malloc(sizeof(double) * P * N), worst = 0, scale = 0;
  int64_t x_shape[] = {b, t, H, P}, a_shape[] = {b, t, H},
          bc_shape[] = {b, t, 1, N};
  interact_tensor inputs[4], outputs[2];
  int status;

  srand(7);
  for (i = 0; i < b * t * H * P; ++i)
    x[i] = uniform() - 0.5f;
  for (i = 0; i < b * t * H; ++i)
    a[i] = -0.2f * uniform();
  for (i = 0; i < b * t * N; ++i) {
    B[i] = uniform() - 0.5f;
    C[i] = uniform() - 0.5f;
  }
  inputs[0] = interact_tensor_contiguous(x, INTERACT_F32, 4, x_shape);
  inputs[1] = interact_tensor_contiguous(a, INTERACT_F32, 3, a_shape);
  inputs[2] = interact_tensor_contiguous(B, INTERACT_F32, 4, bc_shape);
  inputs[3] = interact_tensor_contiguous(C, INTERACT_F32, 4, bc_shape);

  /* The outputs' shapes from the inputs', then the caller's buffers. */
  status = ssd_output_shapes("ssd_layer", inputs, 4, outputs, 2);
  if (status != INTERACT_OK) {
    fprintf(stderr, "ssd_output_shapes: %d: %s\n", status, ssd_last_error());
    return 1;
  }
  for (i = 0; i < 2; ++i) {
    int64_t count = 1, d;
    for (d = 0; d < outputs[i].rank; ++d)
      count *= outputs[i].shape[d];
    outputs[i].data = malloc(sizeof(float) * (count ? count : 1));
  }
  status = ssd_ssd_layer(&inputs[0], &inputs[1], &inputs[2], &inputs[3],
                         &outputs[0], &outputs[1]);
  if (status != INTERACT_OK) {
    fprintf(stderr, "ssd_ssd_layer: %d: %s\n", status, ssd_last_error());
    return 1;
  }

  /* The float64 recurrence, head by head; errors relative to the largest
     output. */
  for (bi = 0; bi < b; ++bi)
    for (h = 0; h < H; ++h) {
      for (i = 0; i < P * N; ++i)
        S[i] = 0;
      for (ti = 0; ti < t; ++ti) {
        int64_t row = bi * t + ti;
        double decay = exp((double)a[row * H + h]);
        for (p = 0; p < P; ++p) {
          double y = 0, got = ((float *)outputs[0].data)[(row * H + h) * P + p];
          for (n = 0; n < N; ++n) {
            S[p * N + n] = decay * S[p * N + n] +
                           (double)x[(row * H + h) * P + p] * B[row * N + n];
            y += S[p * N + n] * C[row * N + n];
          }
          worst = fmax(worst, fabs(got - y));
          scale = fmax(scale, fabs(y));
        }
      }
      for (p = 0; p < P; ++p)
        for (n = 0; n < N; ++n) {
          double got =
              ((float *)outputs[1].data)[((bi * H + h) * P + p) * N + n];
          worst = fmax(worst, fabs(got - S[p * N + n]));
        }
    }
  printf("ssd_layer b=%lld t=%lld: y %lldx%lldx%lldx%lld, max error %.2e "
         "(relative to max |y| %.3g)\n",
         (long long)b, (long long)t, (long long)outputs[0].shape[0],
         (long long)outputs[0].shape[1], (long long)outputs[0].shape[2],
         (long long)outputs[0].shape[3], worst / (scale > 0 ? scale : 1),
         scale);
  if (worst > 1e-4 * (scale > 0 ? scale : 1)) {
    printf("FAIL\n");
    return 1;
  }
  printf("ok\n");
  return 0;
}
