/*===- fake_library.c - A hand-written library with interact's C ABI ------===*\
|*                                                                            *|
|* Tests python/interact against the contract of interact_abi.h without      *|
|* interact-compile: a few tiny functions whose arguments it validates as     *|
|* the header says, outputs it allocates (counting the live ones, so a test   *|
|* sees that every one is freed once), a thread-local last error, and a       *|
|* function `fail` that returns whichever status its argument asks for.       *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "interact/ABI/interact_abi.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local char lastError[256];
static atomic_long liveAllocations;
static atomic_int numThreads;
static _Thread_local int lastCallThreads = -1;

static int fail(int status, const char *message) {
  snprintf(lastError, sizeof lastError, "%s", message);
  return status;
}

/* The signature: f32 add(x[b, n], y[b, n]) -> [b, n]; pair(u: f64[b, 3],
   k: i64[b]) -> (f64[b, 3], i32[b]); copy16(x: bf16[n]) -> bf16[n];
   negate16(x: f16[n]) -> f16[n]; grow(x: f32[n]) -> f32[grow.0] (n + 1
   elements, a size the shapes do not give); fail(code: i32[1]). */
static const char signatureJson[] =
    "{\"abi\": 1, \"library\": \"fake\", \"target\": \"none\", \"functions\": ["
    "{\"name\": \"add\", \"arguments\": ["
    "{\"name\": \"x\", \"dtype\": \"f32\", \"shape\": [\"b\", \"n\"]},"
    "{\"name\": \"y\", \"dtype\": \"f32\", \"shape\": [\"b\", \"n\"]}],"
    " \"results\": [{\"name\": \"sum\", \"dtype\": \"f32\", \"shape\": "
    "[\"b\", \"n\"]}]},"
    "{\"name\": \"pair\", \"arguments\": ["
    "{\"name\": \"u\", \"dtype\": \"f64\", \"shape\": [\"b\", 3]},"
    "{\"name\": \"k\", \"dtype\": \"i64\", \"shape\": [\"b\"]}],"
    " \"results\": [{\"name\": \"twice\", \"dtype\": \"f64\", \"shape\": "
    "[\"b\", 3]}, {\"name\": \"next\", \"dtype\": \"i32\", \"shape\": "
    "[\"b\"]}]},"
    "{\"name\": \"copy16\", \"arguments\": [{\"name\": \"x\", \"dtype\": "
    "\"bf16\", \"shape\": [\"n\"]}], \"results\": [{\"name\": \"y\", "
    "\"dtype\": \"bf16\", \"shape\": [\"n\"]}]},"
    "{\"name\": \"negate16\", \"arguments\": [{\"name\": \"x\", \"dtype\": "
    "\"f16\", \"shape\": [\"n\"]}], \"results\": [{\"name\": \"y\", "
    "\"dtype\": \"f16\", \"shape\": [\"n\"]}]},"
    "{\"name\": \"grow\", \"arguments\": [{\"name\": \"x\", \"dtype\": "
    "\"f32\", \"shape\": [\"n\"]}], \"results\": [{\"name\": \"y\", "
    "\"dtype\": \"f32\", \"shape\": [\"grow.0\"]}]},"
    "{\"name\": \"threads\", \"arguments\": [], \"results\": [{\"name\": "
    "\"n\", \"dtype\": \"i32\", \"shape\": [1]}]},"
    "{\"name\": \"fail\", \"arguments\": [{\"name\": \"code\", \"dtype\": "
    "\"i32\", \"shape\": [1]}], \"results\": []}]}";

typedef struct {
  const char *name;
  int numArgs, numResults;
  interact_dtype dtypes[2];
  int ranks[2];
  interact_dtype resultDtypes[2];
} FunctionInfo;

static const FunctionInfo functions[] = {
    {"add", 2, 1, {INTERACT_F32, INTERACT_F32}, {2, 2}, {INTERACT_F32}},
    {"pair",
     2,
     2,
     {INTERACT_F64, INTERACT_I64},
     {2, 1},
     {INTERACT_F64, INTERACT_I32}},
    {"copy16", 1, 1, {INTERACT_BF16}, {1}, {INTERACT_BF16}},
    {"negate16", 1, 1, {INTERACT_F16}, {1}, {INTERACT_F16}},
    {"grow", 1, 1, {INTERACT_F32}, {1}, {INTERACT_F32}},
    {"threads", 0, 1, {INTERACT_F32}, {0}, {INTERACT_I32}},
    {"fail", 1, 0, {INTERACT_I32}, {1}, {INTERACT_F32}},
};

static int64_t elementSize(interact_dtype dtype) {
  switch (dtype) {
  case INTERACT_F16:
  case INTERACT_BF16:
    return 2;
  case INTERACT_F32:
  case INTERACT_I32:
    return 4;
  case INTERACT_F64:
  case INTERACT_I64:
    return 8;
  }
  return 0;
}

/* The element at multi-index `index` of a strided view. */
static char *at(const interact_tensor *t, const int64_t *index) {
  int64_t offset = 0;
  for (int i = 0; i < t->rank; ++i)
    offset += index[i] * t->strides[i];
  return (char *)t->data + offset * elementSize(t->dtype);
}

static const FunctionInfo *find(const char *name) {
  for (size_t i = 0; i < sizeof functions / sizeof *functions; ++i)
    if (name && strcmp(functions[i].name, name) == 0)
      return &functions[i];
  return NULL;
}

/* Validates inputs; sets the results' dtype, rank, shape and dense strides
   into `shapes`. */
static int validate(const FunctionInfo *f, const interact_tensor *in,
                    int64_t numIn, int64_t numOut, interact_tensor shapes[2]) {
  char message[256];
  if (numIn != f->numArgs || numOut != f->numResults) {
    snprintf(message, sizeof message,
             "%s takes %d arguments and %d results, not %lld and %lld", f->name,
             f->numArgs, f->numResults, (long long)numIn, (long long)numOut);
    return fail(INTERACT_ERROR_ARGUMENT_COUNT, message);
  }
  if (numIn && !in)
    return fail(INTERACT_ERROR_NULL_POINTER, "inputs is NULL");
  for (int i = 0; i < f->numArgs; ++i) {
    if (!in[i].data)
      return fail(INTERACT_ERROR_NULL_POINTER, "an argument's data is NULL");
    if (in[i].dtype != f->dtypes[i])
      return fail(INTERACT_ERROR_DTYPE, "an argument has the wrong dtype");
    if (in[i].rank != f->ranks[i])
      return fail(INTERACT_ERROR_RANK, "an argument has the wrong rank");
  }
  int64_t b = f->numArgs ? in[0].shape[0] : 1;
  for (int i = 1; i < f->numArgs; ++i)
    if (in[i].shape[0] != b) {
      snprintf(message, sizeof message,
               "argument %d has %lld in dimension 0, but argument 0 has %lld",
               i, (long long)in[i].shape[0], (long long)b);
      return fail(INTERACT_ERROR_DIMENSION_MISMATCH, message);
    }
  if (strcmp(f->name, "add") == 0 && in[0].shape[1] != in[1].shape[1])
    return fail(INTERACT_ERROR_DIMENSION_MISMATCH, "n differs");
  if (strcmp(f->name, "pair") == 0 && in[0].shape[1] != 3)
    return fail(INTERACT_ERROR_SHAPE, "u has a dimension 1 that is not 3");
  if (strcmp(f->name, "fail") == 0 && in[0].shape[0] != 1)
    return fail(INTERACT_ERROR_SHAPE, "code has a dimension 0 that is not 1");
  for (int r = 0; r < f->numResults; ++r) {
    interact_tensor *s = &shapes[r];
    memset(s, 0, sizeof *s);
    s->dtype = f->resultDtypes[r];
    if (strcmp(f->name, "threads") == 0) {
      s->rank = 1;
      s->shape[0] = 1;
    } else {
      const interact_tensor *like = &in[r == 1 ? 1 : 0];
      s->rank = like->rank;
      for (int d = 0; d < like->rank; ++d)
        s->shape[d] = like->shape[d];
      if (strcmp(f->name, "grow") == 0)
        s->shape[0] += 1;
    }
    int64_t stride = 1;
    for (int d = s->rank - 1; d >= 0; --d) {
      s->strides[d] = stride;
      stride *= s->shape[d];
    }
  }
  return INTERACT_OK;
}

static int64_t numElements(const interact_tensor *t) {
  int64_t n = 1;
  for (int i = 0; i < t->rank; ++i)
    n *= t->shape[i];
  return n;
}

/* Row-major index of element `k` into `index`. */
static void unflatten(const interact_tensor *t, int64_t k, int64_t *index) {
  for (int d = t->rank - 1; d >= 0; --d) {
    index[d] = t->shape[d] ? k % t->shape[d] : 0;
    k = t->shape[d] ? k / t->shape[d] : 0;
  }
}

static void compute(const FunctionInfo *f, const interact_tensor *in,
                    interact_tensor *out) {
  int64_t index[INTERACT_MAX_RANK];
  if (strcmp(f->name, "threads") == 0) {
    *(int32_t *)out[0].data = lastCallThreads;
    return;
  }
  for (int64_t k = 0, e = numElements(&out[0]); k < e; ++k) {
    unflatten(&out[0], k, index);
    if (strcmp(f->name, "add") == 0)
      *(float *)at(&out[0], index) =
          *(float *)at(&in[0], index) + *(float *)at(&in[1], index);
    else if (strcmp(f->name, "pair") == 0)
      *(double *)at(&out[0], index) = 2 * *(double *)at(&in[0], index);
    else if (strcmp(f->name, "copy16") == 0)
      *(uint16_t *)at(&out[0], index) = *(uint16_t *)at(&in[0], index);
    else if (strcmp(f->name, "negate16") == 0)
      *(uint16_t *)at(&out[0], index) = *(uint16_t *)at(&in[0], index) ^ 0x8000;
    else if (strcmp(f->name, "grow") == 0)
      *(float *)at(&out[0], index) = (float)k;
  }
  if (strcmp(f->name, "pair") == 0)
    for (int64_t k = 0; k < out[1].shape[0]; ++k) {
      index[0] = k;
      *(int32_t *)at(&out[1], index) =
          (int32_t)(*(int64_t *)at(&in[1], index) + 1);
    }
}

const char *fake_signature(void) { return signatureJson; }

const char *fake_last_error(void) { return lastError; }

int fake_output_shapes(const char *function, const interact_tensor *inputs,
                       int64_t numInputs, interact_tensor *outputs,
                       int64_t numOutputs) {
  const FunctionInfo *f = find(function);
  if (!f)
    return fail(INTERACT_ERROR_NO_FUNCTION, "no such function");
  interact_tensor shapes[2];
  int status = validate(f, inputs, numInputs, numOutputs, shapes);
  if (status)
    return status;
  if (strcmp(f->name, "grow") == 0)
    return fail(INTERACT_ERROR_UNKNOWN_SHAPE,
                "result 'y' of grow has a size only the call knows");
  for (int r = 0; r < f->numResults; ++r) {
    void *data = outputs[r].data;
    outputs[r] = shapes[r];
    outputs[r].data = data;
  }
  return INTERACT_OK;
}

int fake_call(const char *function, const interact_tensor *inputs,
              int64_t numInputs, interact_tensor *outputs, int64_t numOutputs,
              const interact_call_options *options) {
  const FunctionInfo *f = find(function);
  if (!f)
    return fail(INTERACT_ERROR_NO_FUNCTION, "no such function");
  interact_tensor shapes[2];
  int status = validate(f, inputs, numInputs, numOutputs, shapes);
  if (status)
    return status;
  if (options && options->num_threads < 0)
    return fail(INTERACT_ERROR_INVALID_VALUE, "negative num_threads");
  lastCallThreads =
      options && options->num_threads ? options->num_threads : numThreads;
  if (strcmp(f->name, "fail") == 0) {
    int code = *(int32_t *)inputs[0].data;
    char message[64];
    snprintf(message, sizeof message, "failing with code %d as asked", code);
    return fail(code, message);
  }
  for (int r = 0; r < f->numResults; ++r) {
    if (!outputs[r].data)
      continue;
    if (outputs[r].dtype != shapes[r].dtype ||
        outputs[r].rank != shapes[r].rank)
      return fail(INTERACT_ERROR_SHAPE, "an output view is wrong");
    for (int d = 0; d < shapes[r].rank; ++d)
      if (outputs[r].shape[d] != shapes[r].shape[d])
        return fail(INTERACT_ERROR_SHAPE, "an output view is wrong");
  }
  /* Allocate into temporaries, compute, then copy or hand over. */
  interact_tensor results[2];
  for (int r = 0; r < f->numResults; ++r) {
    results[r] = shapes[r];
    int64_t bytes = numElements(&shapes[r]) * elementSize(shapes[r].dtype);
    results[r].data = malloc(bytes ? bytes : 1);
    if (!results[r].data)
      return fail(INTERACT_ERROR_OUT_OF_MEMORY, "out of memory");
  }
  compute(f, inputs, results);
  int64_t index[INTERACT_MAX_RANK];
  for (int r = 0; r < f->numResults; ++r) {
    if (outputs[r].data) {
      int64_t item = elementSize(results[r].dtype);
      for (int64_t k = 0, e = numElements(&results[r]); k < e; ++k) {
        unflatten(&results[r], k, index);
        memcpy(at(&outputs[r], index), at(&results[r], index), item);
      }
      free(results[r].data);
    } else {
      outputs[r] = results[r];
      outputs[r].owner = results[r].data;
      atomic_fetch_add(&liveAllocations, 1);
    }
  }
  return INTERACT_OK;
}

int fake_set_num_threads(int32_t n) {
  if (n < 0)
    return fail(INTERACT_ERROR_INVALID_VALUE, "negative thread count");
  numThreads = n;
  return INTERACT_OK;
}

void fake_tensor_free(interact_tensor *t) {
  if (!t || !t->owner)
    return;
  free(t->owner);
  atomic_fetch_sub(&liveAllocations, 1);
  t->data = t->owner = NULL;
}

/* For the tests: outputs allocated and not yet freed. */
long fake_live_allocations(void) { return liveAllocations; }

static const interact_library library = {
    INTERACT_ABI_VERSION, "fake",
    fake_signature,       fake_call,
    fake_output_shapes,   fake_last_error,
    fake_set_num_threads, fake_tensor_free};

const interact_library *interact_library_v1(void) { return &library; }
