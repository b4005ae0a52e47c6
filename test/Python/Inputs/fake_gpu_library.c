/*===- fake_gpu_library.c - A GPU library's ABI, faked in host memory -----===*\
|*                                                                            *|
|* Tests python/interact's GPU path without a GPU: a library whose signature  *|
|* says "device": "cuda" and which checks what interact_abi.h's "GPU          *|
|* libraries" paragraph asks of a caller (dense tensors, the stream in        *|
|* interact_call_options.cuda_stream), records the stream and data pointers   *|
|* it was given, and computes in whatever memory the pointers name: the test  *|
|* hands it host memory dressed as CUDA tensors.                              *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "interact/ABI/interact_abi.h"

#include <stdio.h>
#include <string.h>

static _Thread_local char lastError[256];
static void *lastStream;
static void *lastPointers[3];
static int lastThreads = -1;

static int fail(int status, const char *message) {
  snprintf(lastError, sizeof lastError, "%s", message);
  return status;
}

/* add(x: f32[b, n], y: f32[b, n]) -> f32[b, n]; fail(code: i32[1]). */
static const char signatureJson[] =
    "{\"abi\": 1, \"library\": \"fakegpu\", \"target\": \"sm_90\", "
    "\"device\": \"cuda\", \"functions\": ["
    "{\"name\": \"add\", \"arguments\": ["
    "{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [\"b\", \"n\"]},"
    "{\"name\": \"y\", \"dtype\": \"f32\", \"shape\": [\"b\", \"n\"]}],"
    " \"results\": [{\"name\": \"sum\", \"dtype\": \"f32\", \"shape\": "
    "[\"b\", \"n\"]}]},"
    "{\"name\": \"fail\", \"arguments\": [{\"name\": \"code\", \"dtype\": "
    "\"i32\", \"shape\": [1]}], \"results\": []}]}";

static int isDense(const interact_tensor *t) {
  int64_t stride = 1;
  for (int d = t->rank - 1; d >= 0; --d) {
    if (t->shape[d] > 1 && t->strides[d] != stride)
      return 0;
    stride *= t->shape[d];
  }
  return 1;
}

static int validate(const char *function, const interact_tensor *in,
                    int64_t numIn, int64_t numOut) {
  int add = strcmp(function, "add") == 0;
  if (!add && strcmp(function, "fail") != 0)
    return fail(INTERACT_ERROR_NO_FUNCTION, "no such function");
  if (numIn != (add ? 2 : 1) || numOut != (add ? 1 : 0))
    return fail(INTERACT_ERROR_ARGUMENT_COUNT, "wrong counts");
  for (int i = 0; i < numIn; ++i) {
    if (!in[i].data)
      return fail(INTERACT_ERROR_NULL_POINTER, "an argument's data is NULL");
    if (in[i].dtype != (add ? INTERACT_F32 : INTERACT_I32))
      return fail(INTERACT_ERROR_DTYPE, "an argument has the wrong dtype");
    if (in[i].rank != (add ? 2 : 1))
      return fail(INTERACT_ERROR_RANK, "an argument has the wrong rank");
  }
  if (add &&
      (in[0].shape[0] != in[1].shape[0] || in[0].shape[1] != in[1].shape[1]))
    return fail(INTERACT_ERROR_DIMENSION_MISMATCH, "b or n differs");
  return INTERACT_OK;
}

const char *fakegpu_signature(void) { return signatureJson; }
const char *fakegpu_last_error(void) { return lastError; }

int fakegpu_output_shapes(const char *function, const interact_tensor *in,
                          int64_t numIn, interact_tensor *out, int64_t numOut) {
  int status = validate(function, in, numIn, numOut);
  if (status || numOut == 0)
    return status;
  void *data = out[0].data;
  out[0] = in[0];
  out[0].data = data;
  out[0].strides[0] = in[0].shape[1];
  out[0].strides[1] = 1;
  out[0].owner = NULL;
  return INTERACT_OK;
}

int fakegpu_call(const char *function, const interact_tensor *in, int64_t numIn,
                 interact_tensor *out, int64_t numOut,
                 const interact_call_options *options) {
  int status = validate(function, in, numIn, numOut);
  if (status)
    return status;
  lastStream = options ? options->cuda_stream : (void *)-1;
  lastThreads = options ? options->num_threads : -1;
  if (strcmp(function, "fail") == 0) {
    int code = *(int32_t *)in[0].data;
    char message[64];
    snprintf(message, sizeof message, "failing with code %d as asked", code);
    return fail(code, message);
  }
  if (!out[0].data)
    return fail(INTERACT_ERROR_NULL_POINTER,
                "the fake GPU library wants caller-allocated outputs");
  for (int i = 0; i < 2; ++i)
    if (!isDense(&in[i]))
      return fail(INTERACT_ERROR_DEVICE, "add: tensor is not dense");
  if (!isDense(&out[0]) || out[0].shape[0] != in[0].shape[0] ||
      out[0].shape[1] != in[0].shape[1])
    return fail(INTERACT_ERROR_SHAPE, "the output view is wrong");
  lastPointers[0] = in[0].data;
  lastPointers[1] = in[1].data;
  lastPointers[2] = out[0].data;
  int64_t count = in[0].shape[0] * in[0].shape[1];
  for (int64_t k = 0; k < count; ++k)
    ((float *)out[0].data)[k] =
        ((const float *)in[0].data)[k] + ((const float *)in[1].data)[k];
  return INTERACT_OK;
}

int fakegpu_set_num_threads(int32_t n) {
  return n < 0 ? fail(INTERACT_ERROR_INVALID_VALUE, "negative") : 0;
}

void fakegpu_tensor_free(interact_tensor *t) { (void)t; }

/* For the tests: what the last successful call of `add` was given. */
void *fakegpu_last_stream(void) { return lastStream; }
int fakegpu_last_threads(void) { return lastThreads; }
void *fakegpu_last_pointer(int i) { return lastPointers[i]; }

static const interact_library library = {
    INTERACT_ABI_VERSION,    "fakegpu",
    fakegpu_signature,       fakegpu_call,
    fakegpu_output_shapes,   fakegpu_last_error,
    fakegpu_set_num_threads, fakegpu_tensor_free};

const interact_library *interact_library_v1(void) { return &library; }
