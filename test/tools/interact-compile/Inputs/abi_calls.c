/* Every kind of bad call into the library of examples/ssd_layer.mlir
   (prefix "ssd"), each printed as "NAME: CODE MESSAGE", then good calls:
   library-allocated and caller-allocated outputs, a strided input, and
   concurrent calls with their own thread counts, each compared with a
   dense single-threaded call. */

#include "ssd.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { B = 2, T = 9, H = 8, P = 64, N = 64 };

static float x[B * T * H * P], a[B * T * H], bc[B * T * N];
static interact_tensor in[4];

static void report(const char *name, int status) {
  printf("%s: %d %s\n", name, status, ssd_last_error());
}

/* A fresh set of valid inputs. */
static void reset(void) {
  static const int64_t xs[] = {B, T, H, P}, as[] = {B, T, H},
                       bs[] = {B, T, 1, N};
  in[0] = interact_tensor_contiguous(x, INTERACT_F32, 4, xs);
  in[1] = interact_tensor_contiguous(a, INTERACT_F32, 3, as);
  in[2] = interact_tensor_contiguous(bc, INTERACT_F32, 4, bs);
  in[3] = interact_tensor_contiguous(bc, INTERACT_F32, 4, bs);
}

static int call(interact_tensor *out) {
  return ssd_ssd_layer(&in[0], &in[1], &in[2], &in[3], &out[0], &out[1]);
}

static double max_difference(const interact_tensor *u,
                             const interact_tensor *v) {
  double worst = 0;
  int64_t i, count = 1;
  int32_t d;
  for (d = 0; d < u->rank; ++d)
    count *= u->shape[d];
  for (i = 0; i < count; ++i)
    worst = fmax(worst, fabs(((float *)u->data)[i] - ((float *)v->data)[i]));
  return worst;
}

static interact_tensor reference[2];

static void *concurrent(void *arg) {
  interact_tensor out[2];
  interact_call_options options;
  int threads = (int)(intptr_t)arg, round;
  options.num_threads = threads;
  for (round = 0; round < 20; ++round) {
    memset(out, 0, sizeof(out));
    if (ssd_call("ssd_layer", in, 4, out, 2, &options) != INTERACT_OK ||
        max_difference(&out[0], &reference[0]) != 0 ||
        max_difference(&out[1], &reference[1]) != 0)
      return (void *)1;
    ssd_tensor_free(&out[0]);
    ssd_tensor_free(&out[1]);
  }
  return NULL;
}

int main(void) {
  interact_tensor out[2], saved;
  int64_t i;
  float *strided;
  pthread_t threads[4];
  int failures = 0;
  for (i = 0; i < B * T * H * P; ++i)
    x[i] = (float)((i * 7919) % 1000) / 1000.0f - 0.5f;
  for (i = 0; i < B * T * H; ++i)
    a[i] = -(float)((i * 31) % 100) / 400.0f;
  for (i = 0; i < B * T * N; ++i)
    bc[i] = (float)((i * 613) % 1000) / 1000.0f - 0.5f;

  /* Bad calls: each leaves the outputs as they were. */
  memset(out, 0, sizeof(out));
  reset();
  report("null argument",
         ssd_ssd_layer(NULL, &in[1], &in[2], &in[3], &out[0], &out[1]));
  report("null result",
         ssd_ssd_layer(&in[0], &in[1], &in[2], &in[3], NULL, &out[1]));
  in[0].data = NULL;
  report("null data", call(out));
  reset();
  in[1].dtype = INTERACT_F64;
  report("dtype", call(out));
  reset();
  in[2].rank = 3;
  report("rank", call(out));
  reset();
  in[0].shape[3] = 32;
  report("static shape", call(out));
  reset();
  in[1].shape[1] = T - 1;
  report("dynamic mismatch", call(out));
  reset();
  in[3].shape[0] = B + 1;
  report("batch mismatch", call(out));
  reset();
  in[0].shape[0] = -1;
  report("negative size", call(out));
  reset();
  in[0].shape[0] = (int64_t)1 << 40;
  in[0].shape[1] = (int64_t)1 << 40;
  report("absurd size", call(out));
  reset();
  {
    /* Empty inputs (t = 0, no data) of a batch of 2^40: the state result
       would need 2^57 bytes. */
    interact_tensor empty[4];
    int64_t xs[] = {(int64_t)1 << 40, 0, H, P}, as[] = {(int64_t)1 << 40, 0, H},
            bs[] = {(int64_t)1 << 40, 0, 1, N};
    empty[0] = interact_tensor_contiguous(NULL, INTERACT_F32, 4, xs);
    empty[1] = interact_tensor_contiguous(NULL, INTERACT_F32, 3, as);
    empty[2] = interact_tensor_contiguous(NULL, INTERACT_F32, 4, bs);
    empty[3] = empty[2];
    report("huge empty batch", ssd_call("ssd_layer", empty, 4, out, 2, NULL));
  }
  report("unknown function", ssd_call("ssd", in, 4, out, 2, NULL));
  report("argument count", ssd_call("ssd_layer", in, 3, out, 2, NULL));
  report("null function name", ssd_call(NULL, in, 4, out, 2, NULL));
  report("null inputs", ssd_call("ssd_layer", NULL, 4, out, 2, NULL));
  {
    interact_call_options options = {-1};
    report("negative threads", ssd_call("ssd_layer", in, 4, out, 2, &options));
  }
  report("set negative threads", ssd_set_num_threads(-2));
  report("too many threads", ssd_set_num_threads(4096));
  {
    float buffer[16];
    int64_t shape[] = {B, T, H, 2};
    interact_tensor wrong[2];
    memset(wrong, 0, sizeof(wrong));
    wrong[0] = interact_tensor_contiguous(buffer, INTERACT_F32, 4, shape);
    report("caller output shape", call(wrong));
  }
  printf("outputs untouched: %s\n",
         out[0].data == NULL && out[1].data == NULL ? "yes" : "no");

  /* Good calls. */
  report("library-allocated", call(out));
  reference[0] = out[0];
  reference[1] = out[1];
  printf("y %lldx%lldx%lldx%lld, state %lldx%lldx%lldx%lld\n",
         (long long)out[0].shape[0], (long long)out[0].shape[1],
         (long long)out[0].shape[2], (long long)out[0].shape[3],
         (long long)out[1].shape[0], (long long)out[1].shape[1],
         (long long)out[1].shape[2], (long long)out[1].shape[3]);
  {
    interact_tensor mine[2];
    report("output shapes", ssd_output_shapes("ssd_layer", in, 4, mine, 2));
    mine[0].data = malloc(sizeof(float) * B * T * H * P);
    mine[1].data = malloc(sizeof(float) * B * H * P * N);
    report("caller-allocated", call(mine));
    printf("caller-allocated matches: %g %g\n",
           max_difference(&mine[0], &reference[0]),
           max_difference(&mine[1], &reference[1]));
    free(mine[0].data);
    free(mine[1].data);
  }
  /* x as a view of every other row of a buffer twice as long in t. */
  strided = calloc((size_t)B * 2 * T * H * P, sizeof(float));
  for (i = 0; i < B * T; ++i)
    memcpy(strided + (2 * i) * H * P, x + i * H * P, sizeof(float) * H * P);
  saved = in[0];
  in[0].data = strided;
  in[0].strides[0] = 2 * T * H * P;
  in[0].strides[1] = 2 * H * P;
  {
    interact_tensor view[2];
    memset(view, 0, sizeof(view));
    report("strided input", call(view));
    printf("strided input matches: %g %g\n",
           max_difference(&view[0], &reference[0]),
           max_difference(&view[1], &reference[1]));
    ssd_tensor_free(&view[0]);
    ssd_tensor_free(&view[1]);
  }
  in[0] = saved;
  free(strided);

  report("set threads", ssd_set_num_threads(1));
  for (i = 0; i < 4; ++i)
    pthread_create(&threads[i], NULL, concurrent, (void *)(intptr_t)(i + 1));
  for (i = 0; i < 4; ++i) {
    void *result;
    pthread_join(threads[i], &result);
    failures += result != NULL;
  }
  printf("concurrent calls with 1 to 4 threads: %d failed\n", failures);
  ssd_tensor_free(&out[0]);
  ssd_tensor_free(&out[1]);
  printf("freed: %s\n",
         out[0].data == NULL && out[0].owner == NULL ? "yes" : "no");
  return failures != 0;
}
