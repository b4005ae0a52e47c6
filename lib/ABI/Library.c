/*===- Library.c - The runtime of interact-compile's libraries ------------===*\
|*                                                                            *|
|* Validates every call against the function's tables (Library.h), passes    *|
|* dense memref descriptors to the compiled code, and hands its results back *|
|* to the caller's views or as library-owned tensors. It needs libc and the  *|
|* OpenMP runtime only, and defines memrefCopy, the one routine of MLIR's    *|
|* C runner utilities that compiled code calls (libmlir_c_runner_utils links *|
|* libMLIR, which a library must not need).                                 *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "Library.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef INTERACT_ABI_CUDA
/* A GPU library (interact-compile --target=sm_90): tensors are device
   memory, and the compiled code calls lib/Runtime's mgpu* functions. */
#include "interact/Runtime/CudaRuntime.h"
#else
/* The OpenMP runtime's thread count of the calling thread. */
extern int omp_get_max_threads(void);
extern void omp_set_num_threads(int);
#endif

/* The most OpenMP threads a call may ask for (interact-run's and
   interact-compile's --num-threads cap). */
#define MAX_THREADS 1024
/* Largest byte size of a tensor: sizes beyond it are absurd inputs. */
#define MAX_BYTES ((int64_t)1 << 62)
/* What memref.get_global's descriptors hold as their allocated pointer. */
#define GLOBAL_MARKER ((void *)(uintptr_t)0xdeadbeef)

static _Thread_local char last_error[1024];

const char *interact_abi_last_error(void) { return last_error; }

static int fail(int status, const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_error, sizeof(last_error), format, args);
  va_end(args);
  return status;
}

static int64_t element_size(int32_t dtype) {
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

static const char *dtype_name(int32_t dtype) {
  switch (dtype) {
  case INTERACT_F16:
    return "f16";
  case INTERACT_BF16:
    return "bf16";
  case INTERACT_F32:
    return "f32";
  case INTERACT_F64:
    return "f64";
  case INTERACT_I32:
    return "i32";
  case INTERACT_I64:
    return "i64";
  }
  return "an unknown dtype";
}

/*===----------------------------------------------------------------------===*/
/* Strided copies                                                             */
/*===----------------------------------------------------------------------===*/

/* Copies a `rank`-dimensional view of `shape` from `src` to `dst`, strides
   in elements of `size` bytes, one innermost run at a time. */
static void copy_strided(char *dst, const int64_t *dst_strides, const char *src,
                         const int64_t *src_strides, const int64_t *shape,
                         int32_t rank, int64_t size) {
  int64_t index[INTERACT_MAX_RANK] = {0};
  int32_t d;
  if (rank == 0) {
    memcpy(dst, src, (size_t)size);
    return;
  }
  for (d = 0; d < rank; ++d)
    if (shape[d] == 0)
      return;
  for (;;) {
    int64_t src_offset = 0, dst_offset = 0, i, n = shape[rank - 1];
    for (d = 0; d < rank - 1; ++d) {
      src_offset += index[d] * src_strides[d];
      dst_offset += index[d] * dst_strides[d];
    }
    if (src_strides[rank - 1] == 1 && dst_strides[rank - 1] == 1) {
      memcpy(dst + dst_offset * size, src + src_offset * size,
             (size_t)(n * size));
    } else {
      for (i = 0; i < n; ++i)
        memcpy(dst + (dst_offset + i * dst_strides[rank - 1]) * size,
               src + (src_offset + i * src_strides[rank - 1]) * size,
               (size_t)size);
    }
    for (d = rank - 2; d >= 0; --d) {
      if (++index[d] < shape[d])
        break;
      index[d] = 0;
    }
    if (d < 0)
      return;
  }
}

static void dense_strides(int32_t rank, const int64_t *shape,
                          int64_t *strides) {
  int64_t stride = 1;
  int32_t d;
  for (d = rank - 1; d >= 0; --d) {
    strides[d] = stride;
    stride *= shape[d] > 0 ? shape[d] : 1;
  }
}

static int is_dense(int32_t rank, const int64_t *shape,
                    const int64_t *strides) {
  int64_t dense[INTERACT_MAX_RANK];
  int32_t d;
  dense_strides(rank, shape, dense);
  for (d = 0; d < rank; ++d)
    if (shape[d] > 1 && strides[d] != dense[d])
      return 0;
  return 1;
}

#ifndef INTERACT_ABI_CUDA /* results are copied on the CPU only */
static int is_same_shape(int32_t rank, const int64_t *a, const int64_t *b) {
  int32_t d;
  for (d = 0; d < rank; ++d)
    if (a[d] != b[d])
      return 0;
  return 1;
}
#endif

/* A ranked memref descriptor: allocated, aligned, offset, sizes[rank],
   strides[rank], 8 bytes each. */
typedef struct descriptor_view {
  void **allocated;
  void **aligned;
  int64_t *offset;
  int64_t *sizes;
  int64_t *strides;
} descriptor_view;

static descriptor_view view_of(int64_t *words, int32_t rank) {
  descriptor_view v;
  v.allocated = (void **)&words[0];
  v.aligned = (void **)&words[1];
  v.offset = &words[2];
  v.sizes = &words[3];
  v.strides = &words[3 + rank];
  return v;
}

/* MLIR's memref.copy between two strided views of one shape
   (mlir/ExecutionEngine/CRunnerUtils.cpp's memrefCopy). */
typedef struct unranked_memref {
  int64_t rank;
  int64_t *descriptor;
} unranked_memref;

void memrefCopy(int64_t element_bytes, unranked_memref *src,
                unranked_memref *dst) {
  descriptor_view s = view_of(src->descriptor, (int32_t)src->rank);
  descriptor_view t = view_of(dst->descriptor, (int32_t)dst->rank);
  copy_strided((char *)*t.aligned + *t.offset * element_bytes, t.strides,
               (const char *)*s.aligned + *s.offset * element_bytes, s.strides,
               s.sizes, (int32_t)src->rank, element_bytes);
}

/*===----------------------------------------------------------------------===*/
/* Validation                                                                 */
/*===----------------------------------------------------------------------===*/

/* The sizes a call has bound each symbol to, and where from. */
typedef struct bindings {
  int64_t value[64];
  const char *source[64];
  int32_t dim[64];
} bindings;

/* Writes "b x t x 8 x 64" for `spec` into `out`. */
static void spec_shape(const interact_abi_function *fn,
                       const interact_abi_tensor_spec *spec, char *out,
                       size_t size) {
  size_t used = 0;
  int32_t d;
  out[0] = 0;
  if (spec->rank == 0)
    snprintf(out, size, "a scalar");
  for (d = 0; d < spec->rank && used < size; ++d) {
    int64_t s = spec->shape[d];
    int n = s >= 0 ? snprintf(out + used, size - used, "%s%lld", d ? " x " : "",
                              (long long)s)
                   : snprintf(out + used, size - used, "%s%s", d ? " x " : "",
                              fn->symbols[-1 - s].name);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

static int check_input(const interact_abi_function *fn, int32_t i,
                       const interact_tensor *t, bindings *bound) {
  const interact_abi_tensor_spec *spec = &fn->arguments[i];
  char expected[256];
  int64_t bytes = element_size(spec->dtype);
  int32_t d;
  spec_shape(fn, spec, expected, sizeof(expected));
  if (!t)
    return fail(INTERACT_ERROR_NULL_POINTER,
                "%s: argument '%s' is a null pointer", fn->name, spec->name);
  if ((int32_t)t->dtype != spec->dtype)
    return fail(INTERACT_ERROR_DTYPE,
                "%s: argument '%s' has dtype %s, but must be %s", fn->name,
                spec->name, dtype_name(t->dtype), dtype_name(spec->dtype));
  if (t->rank != spec->rank)
    return fail(INTERACT_ERROR_RANK,
                "%s: argument '%s' has rank %d, but must have rank %d (%s)",
                fn->name, spec->name, (int)t->rank, (int)spec->rank, expected);
  for (d = 0; d < spec->rank; ++d) {
    int64_t size = t->shape[d], want = spec->shape[d];
    if (size < 0)
      return fail(INTERACT_ERROR_INVALID_VALUE,
                  "%s: argument '%s' has a negative size %lld in dimension "
                  "%d",
                  fn->name, spec->name, (long long)size, (int)d);
    if (size > 0 && bytes > MAX_BYTES / size)
      return fail(INTERACT_ERROR_INVALID_VALUE,
                  "%s: argument '%s' is too large: its size in bytes does "
                  "not fit in 62 bits",
                  fn->name, spec->name);
    bytes *= size;
    if (want >= 0) {
      if (size != want)
        return fail(INTERACT_ERROR_SHAPE,
                    "%s: argument '%s' has size %lld in dimension %d, but "
                    "must have %lld (%s)",
                    fn->name, spec->name, (long long)size, (int)d,
                    (long long)want, expected);
      continue;
    }
    const interact_abi_symbol *symbol = &fn->symbols[-1 - want];
    int64_t k = -1 - want;
    if (symbol->size >= 0 && size != symbol->size)
      return fail(INTERACT_ERROR_SHAPE,
                  "%s: argument '%s' has %s = %lld (dimension %d), but %s "
                  "must be %lld",
                  fn->name, spec->name, symbol->name, (long long)size, (int)d,
                  symbol->name, (long long)symbol->size);
    if (bound->value[k] < 0) {
      bound->value[k] = size;
      bound->source[k] = spec->name;
      bound->dim[k] = d;
    } else if (bound->value[k] != size) {
      return fail(INTERACT_ERROR_DIMENSION_MISMATCH,
                  "%s: argument '%s' has %s = %lld (dimension %d), but "
                  "argument '%s' has %s = %lld (dimension %d)",
                  fn->name, spec->name, symbol->name, (long long)size, (int)d,
                  bound->source[k], symbol->name, (long long)bound->value[k],
                  (int)bound->dim[k]);
    }
  }
  if (!t->data && bytes > 0)
    return fail(INTERACT_ERROR_NULL_POINTER,
                "%s: argument '%s' has a null data pointer", fn->name,
                spec->name);
  return INTERACT_OK;
}

/* The shape of result `i` from the bindings; -1 where unknown. */
static void result_shape(const interact_abi_function *fn, int32_t i,
                         const bindings *bound, int64_t *shape) {
  const interact_abi_tensor_spec *spec = &fn->results[i];
  int32_t d;
  for (d = 0; d < spec->rank; ++d) {
    int64_t want = spec->shape[d];
    if (want >= 0)
      shape[d] = want;
    else if (fn->symbols[-1 - want].size >= 0)
      shape[d] = fn->symbols[-1 - want].size;
    else
      shape[d] = bound->value[-1 - want];
  }
}

static int check_output(const interact_abi_function *fn, int32_t i,
                        const interact_tensor *t, const bindings *bound) {
  const interact_abi_tensor_spec *spec = &fn->results[i];
  int64_t shape[INTERACT_MAX_RANK];
  int32_t d;
  if (!t)
    return fail(INTERACT_ERROR_NULL_POINTER,
                "%s: result '%s' is a null pointer", fn->name, spec->name);
  if (!t->data)
    return INTERACT_OK; /* the library allocates it */
  result_shape(fn, i, bound, shape);
  if ((int32_t)t->dtype != spec->dtype)
    return fail(INTERACT_ERROR_DTYPE,
                "%s: result '%s' has dtype %s, but the call makes %s", fn->name,
                spec->name, dtype_name(t->dtype), dtype_name(spec->dtype));
  if (t->rank != spec->rank)
    return fail(INTERACT_ERROR_RANK,
                "%s: result '%s' has rank %d, but the call makes rank %d",
                fn->name, spec->name, (int)t->rank, (int)spec->rank);
  for (d = 0; d < spec->rank; ++d) {
    if (shape[d] < 0)
      return fail(INTERACT_ERROR_UNKNOWN_SHAPE,
                  "%s: the size of result '%s' in dimension %d is known only "
                  "after the call: pass data = NULL to let the library "
                  "allocate it",
                  fn->name, spec->name, (int)d);
    if (t->shape[d] != shape[d])
      return fail(INTERACT_ERROR_SHAPE,
                  "%s: result '%s' has size %lld in dimension %d, but the "
                  "call makes %lld",
                  fn->name, spec->name, (long long)t->shape[d], (int)d,
                  (long long)shape[d]);
  }
  return INTERACT_OK;
}

/* The bytes of this machine's memory: no result may need more. */
static int64_t memory_bytes(void) {
  long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
  return pages > 0 && size > 0 ? (int64_t)pages * size : MAX_BYTES;
}

/* Results the inputs give sizes to must fit in this machine's memory: the
   compiled code would not survive a failed allocation. */
static int check_result_size(const interact_abi_function *fn, int32_t i,
                             const bindings *bound) {
  const interact_abi_tensor_spec *spec = &fn->results[i];
  int64_t shape[INTERACT_MAX_RANK], bytes = element_size(spec->dtype);
  int64_t limit = memory_bytes();
  int32_t d;
  result_shape(fn, i, bound, shape);
  for (d = 0; d < spec->rank; ++d)
    if (shape[d] <= 0)
      return INTERACT_OK; /* empty, or known only after the call */
  for (d = 0; d < spec->rank; ++d) {
    if (bytes > limit / shape[d])
      return fail(INTERACT_ERROR_OUT_OF_MEMORY,
                  "%s: result '%s' would need more than this machine's "
                  "%lld bytes of memory",
                  fn->name, spec->name, (long long)limit);
    bytes *= shape[d];
  }
  return INTERACT_OK;
}

static int validate(const interact_abi_function *fn,
                    const interact_tensor *const *inputs,
                    interact_tensor *const *outputs, bindings *bound) {
  int32_t i;
  int status;
  if (fn->num_symbols > 64 || fn->num_results > 64)
    return fail(INTERACT_ERROR_INVALID_VALUE,
                "%s: more than 64 dimension symbols or results", fn->name);
  for (i = 0; i < fn->num_symbols; ++i)
    bound->value[i] = -1;
  for (i = 0; i < fn->num_arguments; ++i)
    if ((status = check_input(fn, i, inputs[i], bound)) != INTERACT_OK)
      return status;
  for (i = 0; i < fn->num_results; ++i)
    if ((status = check_output(fn, i, outputs[i], bound)) != INTERACT_OK ||
        (status = check_result_size(fn, i, bound)) != INTERACT_OK)
      return status;
  return INTERACT_OK;
}

/*===----------------------------------------------------------------------===*/
/* Calls                                                                      */
/*===----------------------------------------------------------------------===*/

#ifdef INTERACT_ABI_CUDA
/* A GPU library's preconditions: a CUDA device, and dense tensors (device
   memory is not copied on the host). */
static int check_device(const interact_abi_function *fn,
                        const interact_tensor *const *inputs,
                        interact_tensor *const *outputs) {
  int32_t i;
  if (!interact_cuda_available())
    return fail(INTERACT_ERROR_DEVICE,
                "%s: this library runs on an NVIDIA GPU, and none is usable "
                "here (no libcuda.so.1, cuInit failed, or no device)",
                fn->name);
  for (i = 0; i < fn->num_arguments + fn->num_results; ++i) {
    const interact_tensor *t =
        i < fn->num_arguments ? inputs[i] : outputs[i - fn->num_arguments];
    const char *name = i < fn->num_arguments
                           ? fn->arguments[i].name
                           : fn->results[i - fn->num_arguments].name;
    if (t->data && !is_dense(t->rank, t->shape, t->strides))
      return fail(INTERACT_ERROR_DEVICE,
                  "%s: tensor '%s' is not dense (C order); a GPU library "
                  "takes dense device tensors only (make it contiguous)",
                  fn->name, name);
  }
  return INTERACT_OK;
}

/* A GPU library's call. Its compiled functions take their results as
   destination buffers after the arguments (the GPU pipeline's
   buffer-results-to-out-params): each output is the caller's buffer or
   device memory allocated here, on the call's stream, before the call. No
   copy is made, and the work is queued on the stream without waiting. */
static int run(const interact_abi_module *module,
               const interact_abi_function *fn,
               const interact_tensor *const *inputs,
               interact_tensor *const *outputs,
               const interact_call_options *options) {
  bindings bound;
  int status = validate(fn, inputs, outputs, &bound);
  int32_t i, d, n = fn->num_arguments + fn->num_results;
  int64_t *words = NULL;
  void **arguments = NULL;
  void *allocated[64] = {0};
  void *stream = options ? options->cuda_stream : NULL;
  const char *message = NULL;
  int driver = 0;
  static char empty[64];
  (void)module;
  if (status != INTERACT_OK)
    return status;
  if ((status = check_device(fn, inputs, outputs)) != INTERACT_OK)
    return status;
  words =
      calloc((size_t)(n * (3 + 2 * INTERACT_MAX_RANK)) + 1, sizeof(int64_t));
  arguments = calloc((size_t)n + 1, sizeof(void *));
  if (!words || !arguments) {
    status = fail(INTERACT_ERROR_OUT_OF_MEMORY, "%s: out of memory", fn->name);
    goto done;
  }
  interact_cuda_take_error(NULL, NULL); /* none of an earlier call's */
  for (i = 0; i < n; ++i) {
    int64_t shape[INTERACT_MAX_RANK],
        *desc = words + i * (3 + 2 * INTERACT_MAX_RANK);
    int32_t rank;
    char *data;
    descriptor_view v;
    if (i < fn->num_arguments) {
      const interact_tensor *t = inputs[i];
      rank = t->rank;
      for (d = 0; d < rank; ++d)
        shape[d] = t->shape[d];
      data = t->data ? (char *)t->data : empty;
    } else {
      int32_t r = i - fn->num_arguments;
      const interact_abi_tensor_spec *spec = &fn->results[r];
      int64_t count = 1;
      rank = spec->rank;
      result_shape(fn, r, &bound, shape);
      for (d = 0; d < rank; ++d) {
        if (shape[d] < 0) {
          status = fail(INTERACT_ERROR_UNKNOWN_SHAPE,
                        "%s: result '%s' has a size that only the call "
                        "knows, and a GPU library writes its results into "
                        "buffers made before the call",
                        fn->name, spec->name);
          goto done;
        }
        count *= shape[d];
      }
      data = (char *)outputs[r]->data;
      if (!data && count > 0) {
        allocated[r] = mgpuMemAlloc(
            (uint64_t)(count * element_size(spec->dtype)), stream, false);
        if (!allocated[r]) {
          interact_cuda_take_error(&driver, &message);
          status = fail(INTERACT_ERROR_OUT_OF_MEMORY,
                        "%s: no device memory for result '%s' (%s)", fn->name,
                        spec->name, message ? message : "");
          goto done;
        }
        data = allocated[r];
      }
      if (!data)
        data = empty;
    }
    v = view_of(desc, rank);
    *v.allocated = *v.aligned = data;
    *v.offset = 0;
    for (d = 0; d < rank; ++d)
      v.sizes[d] = shape[d];
    dense_strides(rank, shape, v.strides);
    arguments[i] = desc;
  }

  interact_cuda_set_stream(stream);
  fn->invoke(NULL, arguments);
  interact_cuda_clear_stream();
  if (interact_cuda_take_error(&driver, &message) != INTERACT_CUDA_OK) {
    status = fail(INTERACT_ERROR_DEVICE, "%s: CUDA error %d: %s", fn->name,
                  driver, message ? message : "unknown");
    goto done;
  }
  for (i = 0; i < fn->num_results; ++i) {
    const interact_abi_tensor_spec *spec = &fn->results[i];
    interact_tensor *out = outputs[i];
    if (out->data)
      continue;
    out->dtype = (interact_dtype)spec->dtype;
    out->rank = spec->rank;
    for (d = 0; d < INTERACT_MAX_RANK; ++d)
      out->shape[d] = out->strides[d] = 0;
    result_shape(fn, i, &bound, out->shape);
    dense_strides(spec->rank, out->shape, out->strides);
    out->data = allocated[i];
    out->owner = allocated[i];
    allocated[i] = NULL;
  }
  last_error[0] = 0;

done:
  for (i = 0; i < fn->num_results && i < 64; ++i)
    if (allocated[i])
      mgpuMemFree(allocated[i], stream);
  free(arguments);
  free(words);
  return status;
}
#else
static int32_t threads_for(const interact_abi_module *module,
                           const interact_call_options *options) {
  int32_t library = __atomic_load_n(module->num_threads, __ATOMIC_RELAXED);
  if (options && options->num_threads > 0)
    return options->num_threads;
  if (library > 0)
    return library;
  return module->default_threads;
}

static int run(const interact_abi_module *module,
               const interact_abi_function *fn,
               const interact_tensor *const *inputs,
               interact_tensor *const *outputs,
               const interact_call_options *options) {
  bindings bound;
  int status = validate(fn, inputs, outputs, &bound);
  int32_t i, d;
  int64_t result_words = 0;
  int64_t *words = NULL, *results = NULL;
  void **arguments = NULL;
  char **copies = NULL;
  static char empty[64];
  if (status != INTERACT_OK)
    return status;
  if (!module->cpu_supported())
    return fail(INTERACT_ERROR_UNSUPPORTED_CPU,
                "%s: the library was compiled for %s, which needs %s; this "
                "CPU lacks some of it (compile it again for this machine: "
                "--target=host)",
                fn->name, module->target, module->features);
  if (options &&
      (options->num_threads < 0 || options->num_threads > MAX_THREADS))
    return fail(INTERACT_ERROR_INVALID_VALUE,
                "%s: num_threads must be in [0, %d], but is %d", fn->name,
                MAX_THREADS, (int)options->num_threads);

  /* Dense argument descriptors; a strided input is copied first. */
  for (i = 0; i < fn->num_results; ++i)
    result_words += 3 + 2 * fn->results[i].rank;
  words = calloc((size_t)(fn->num_arguments * (3 + 2 * INTERACT_MAX_RANK)) +
                     (size_t)result_words + 1,
                 sizeof(int64_t));
  arguments = calloc((size_t)fn->num_arguments + 1, sizeof(void *));
  copies = calloc((size_t)fn->num_arguments + 1, sizeof(char *));
  if (!words || !arguments || !copies) {
    status = fail(INTERACT_ERROR_OUT_OF_MEMORY, "%s: out of memory", fn->name);
    goto done;
  }
  results = words + fn->num_arguments * (3 + 2 * INTERACT_MAX_RANK);
  for (i = 0; i < fn->num_arguments; ++i) {
    const interact_tensor *t = inputs[i];
    int64_t *desc = words + i * (3 + 2 * INTERACT_MAX_RANK);
    descriptor_view v = view_of(desc, t->rank);
    int64_t count = 1, size = element_size(t->dtype);
    char *data = t->data ? (char *)t->data : empty;
    for (d = 0; d < t->rank; ++d)
      count *= t->shape[d];
    if (count > 0 && !is_dense(t->rank, t->shape, t->strides)) {
      int64_t dense[INTERACT_MAX_RANK];
      dense_strides(t->rank, t->shape, dense);
      copies[i] = malloc((size_t)(count * size));
      if (!copies[i]) {
        status =
            fail(INTERACT_ERROR_OUT_OF_MEMORY, "%s: out of memory", fn->name);
        goto done;
      }
      copy_strided(copies[i], dense, data, t->strides, t->shape, t->rank, size);
      data = copies[i];
    }
    *v.allocated = *v.aligned = data;
    *v.offset = 0;
    for (d = 0; d < t->rank; ++d)
      v.sizes[d] = t->shape[d];
    dense_strides(t->rank, t->shape, v.strides);
    arguments[i] = desc;
  }

  {
    int32_t threads = threads_for(module, options);
    int previous = omp_get_max_threads();
    if (threads > 0)
      omp_set_num_threads(threads);
    fn->invoke(results, arguments);
    if (threads > 0)
      omp_set_num_threads(previous);
  }

  /* Hand each result over: its buffer itself where the library may give it
     away (allocated by this call, dense, not another result's), else a
     copy. A buffer no output keeps is freed. */
  {
    void *allocated[64] = {0};
    char *handed[64] = {0};
    void *keeps[64] = {0}; /* what freeing handed[i] frees */
    int32_t owned[64] = {0};
    int64_t *desc = results;
    for (i = 0; i < fn->num_results && i < 64; ++i) {
      int32_t j;
      allocated[i] = *view_of(desc, fn->results[i].rank).allocated;
      owned[i] = allocated[i] != GLOBAL_MARKER;
      for (j = 0; j < fn->num_arguments; ++j)
        if (allocated[i] == *(void **)arguments[j])
          owned[i] = 0;
      for (j = 0; j < i; ++j)
        if (allocated[i] == allocated[j])
          owned[i] = 0;
      desc += 3 + 2 * fn->results[i].rank;
    }
    /* The sizes the code made must be those the signature promised: a
       mismatch means the inputs broke a relation the signature does not
       state, and nothing is written anywhere. */
    desc = results;
    for (i = 0; i < fn->num_results && status == INTERACT_OK; ++i) {
      const interact_abi_tensor_spec *spec = &fn->results[i];
      descriptor_view v = view_of(desc, spec->rank);
      int64_t expected[INTERACT_MAX_RANK];
      desc += 3 + 2 * spec->rank;
      result_shape(fn, i, &bound, expected);
      for (d = 0; d < spec->rank; ++d)
        if (expected[d] >= 0 && v.sizes[d] != expected[d]) {
          status = fail(INTERACT_ERROR_SHAPE,
                        "%s: result '%s' came out with size %lld in "
                        "dimension %d, not %lld: the inputs' shapes do not "
                        "fit the function",
                        fn->name, spec->name, (long long)v.sizes[d], (int)d,
                        (long long)expected[d]);
          break;
        }
    }
    desc = results;
    for (i = 0; i < fn->num_results && status == INTERACT_OK; ++i) {
      const interact_abi_tensor_spec *spec = &fn->results[i];
      interact_tensor *out = outputs[i];
      descriptor_view v = view_of(desc, spec->rank);
      int64_t size = element_size(spec->dtype), count = 1;
      char *data = (char *)*v.aligned + *v.offset * size;
      desc += 3 + 2 * spec->rank;
      if (out->data && !is_same_shape(spec->rank, out->shape, v.sizes)) {
        status = fail(INTERACT_ERROR_SHAPE,
                      "%s: result '%s' came out with a shape other than the "
                      "caller's view",
                      fn->name, spec->name);
        break;
      }
      for (d = 0; d < spec->rank; ++d)
        count *= v.sizes[d];
      if (out->data) {
        copy_strided(out->data, out->strides, data, v.strides, v.sizes,
                     spec->rank, size);
        continue;
      }
      if (owned[i] && is_dense(spec->rank, v.sizes, v.strides)) {
        handed[i] = data;
        keeps[i] = allocated[i];
        owned[i] = 0; /* the output keeps it */
        continue;
      }
      handed[i] = malloc((size_t)(count > 0 ? count * size : 1));
      keeps[i] = handed[i];
      if (!handed[i]) {
        status =
            fail(INTERACT_ERROR_OUT_OF_MEMORY, "%s: out of memory", fn->name);
        break;
      }
      {
        int64_t dense[INTERACT_MAX_RANK];
        dense_strides(spec->rank, v.sizes, dense);
        copy_strided(handed[i], dense, data, v.strides, v.sizes, spec->rank,
                     size);
      }
    }
    /* On success the outputs take what was handed to them; on failure
       every buffer is freed and the outputs stay as they were. */
    desc = results;
    for (i = 0; i < fn->num_results && i < 64; ++i) {
      const interact_abi_tensor_spec *spec = &fn->results[i];
      descriptor_view v = view_of(desc, spec->rank);
      interact_tensor *out = outputs[i];
      desc += 3 + 2 * spec->rank;
      if (handed[i] && status == INTERACT_OK) {
        out->dtype = (interact_dtype)spec->dtype;
        out->rank = spec->rank;
        for (d = 0; d < INTERACT_MAX_RANK; ++d)
          out->shape[d] = out->strides[d] = 0;
        for (d = 0; d < spec->rank; ++d)
          out->shape[d] = v.sizes[d];
        dense_strides(spec->rank, out->shape, out->strides);
        out->data = handed[i];
        out->owner = keeps[i];
      } else {
        free(keeps[i]);
      }
      if (owned[i])
        free(allocated[i]);
    }
  }
  if (status == INTERACT_OK)
    last_error[0] = 0;

done:
  if (copies)
    for (i = 0; i < fn->num_arguments; ++i)
      free(copies[i]);
  free(copies);
  free(arguments);
  free(words);
  return status;
}

#endif /* INTERACT_ABI_CUDA */

static const interact_abi_function *lookup(const interact_abi_module *module,
                                           const char *name) {
  int32_t i;
  for (i = 0; i < module->num_functions; ++i)
    if (strcmp(module->functions[i].name, name) == 0)
      return &module->functions[i];
  return NULL;
}

/* Pointer arrays over the caller's arrays, for run(). */
static int gather(const interact_abi_module *module, const char *function,
                  const interact_tensor *inputs, int64_t num_inputs,
                  interact_tensor *outputs, int64_t num_outputs,
                  const interact_abi_function **fn, const interact_tensor ***in,
                  interact_tensor ***out) {
  int64_t i;
  if (!function)
    return fail(INTERACT_ERROR_NULL_POINTER,
                "%s: the function name is a null pointer", module->prefix);
  *fn = lookup(module, function);
  if (!*fn)
    return fail(INTERACT_ERROR_NO_FUNCTION, "%s has no function '%s'",
                module->prefix, function);
  if (num_inputs != (*fn)->num_arguments || num_outputs != (*fn)->num_results)
    return fail(INTERACT_ERROR_ARGUMENT_COUNT,
                "%s takes %d arguments and makes %d results, but the call "
                "passes %lld and %lld",
                function, (int)(*fn)->num_arguments, (int)(*fn)->num_results,
                (long long)num_inputs, (long long)num_outputs);
  if ((num_inputs && !inputs) || (num_outputs && !outputs))
    return fail(INTERACT_ERROR_NULL_POINTER,
                "%s: the %s array is a null pointer", function,
                num_inputs && !inputs ? "inputs" : "outputs");
  *in = calloc((size_t)num_inputs + 1, sizeof(**in));
  *out = calloc((size_t)num_outputs + 1, sizeof(**out));
  if (!*in || !*out) {
    free(*in);
    free(*out);
    return fail(INTERACT_ERROR_OUT_OF_MEMORY, "%s: out of memory", function);
  }
  for (i = 0; i < num_inputs; ++i)
    (*in)[i] = &inputs[i];
  for (i = 0; i < num_outputs; ++i)
    (*out)[i] = &outputs[i];
  return INTERACT_OK;
}

int interact_abi_call(const interact_abi_module *module, const char *function,
                      const interact_tensor *inputs, int64_t num_inputs,
                      interact_tensor *outputs, int64_t num_outputs,
                      const interact_call_options *options) {
  const interact_abi_function *fn;
  const interact_tensor **in = NULL;
  interact_tensor **out = NULL;
  int status = gather(module, function, inputs, num_inputs, outputs,
                      num_outputs, &fn, &in, &out);
  if (status != INTERACT_OK)
    return status;
  status = run(module, fn, in, out, options);
  free(in);
  free(out);
  return status;
}

int interact_abi_call_pointers(const interact_abi_module *module, int32_t index,
                               const interact_tensor *const *inputs,
                               interact_tensor *const *outputs,
                               const interact_call_options *options) {
  return run(module, &module->functions[index], inputs, outputs, options);
}

int interact_abi_output_shapes(const interact_abi_module *module,
                               const char *function,
                               const interact_tensor *inputs,
                               int64_t num_inputs, interact_tensor *outputs,
                               int64_t num_outputs) {
  const interact_abi_function *fn;
  const interact_tensor **in = NULL;
  interact_tensor **out = NULL;
  bindings bound;
  int32_t i, d;
  int status = gather(module, function, inputs, num_inputs, outputs,
                      num_outputs, &fn, &in, &out);
  if (status != INTERACT_OK)
    return status;
  for (i = 0; i < fn->num_symbols && i < 64; ++i)
    bound.value[i] = -1;
  status = fn->num_symbols > 64
               ? fail(INTERACT_ERROR_INVALID_VALUE,
                      "%s: more than 64 dimension symbols", fn->name)
               : INTERACT_OK;
  for (i = 0; i < fn->num_arguments && status == INTERACT_OK; ++i)
    status = check_input(fn, i, in[i], &bound);
  for (i = 0; i < fn->num_results && status == INTERACT_OK; ++i) {
    int64_t shape[INTERACT_MAX_RANK];
    result_shape(fn, i, &bound, shape);
    for (d = 0; d < fn->results[i].rank; ++d)
      if (shape[d] < 0)
        status = fail(INTERACT_ERROR_UNKNOWN_SHAPE,
                      "%s: the size of result '%s' in dimension %d is known "
                      "only after the call",
                      fn->name, fn->results[i].name, (int)d);
    if (status != INTERACT_OK)
      break;
    out[i]->dtype = (interact_dtype)fn->results[i].dtype;
    out[i]->rank = fn->results[i].rank;
    for (d = 0; d < INTERACT_MAX_RANK; ++d)
      out[i]->shape[d] = out[i]->strides[d] = 0;
    for (d = 0; d < fn->results[i].rank; ++d)
      out[i]->shape[d] = shape[d];
    dense_strides(out[i]->rank, out[i]->shape, out[i]->strides);
  }
  free(in);
  free(out);
  if (status == INTERACT_OK)
    last_error[0] = 0;
  return status;
}

int interact_abi_set_num_threads(const interact_abi_module *module,
                                 int32_t num_threads) {
  if (num_threads < 0 || num_threads > MAX_THREADS)
    return fail(INTERACT_ERROR_INVALID_VALUE,
                "%s: num_threads must be in [0, %d], but is %d", module->prefix,
                MAX_THREADS, (int)num_threads);
  __atomic_store_n(module->num_threads, num_threads, __ATOMIC_RELAXED);
  last_error[0] = 0;
  return INTERACT_OK;
}

void interact_abi_tensor_free(interact_tensor *tensor) {
  if (!tensor || !tensor->owner)
    return;
#ifdef INTERACT_ABI_CUDA
  /* Device memory: cuMemFree waits for the work queued on it. */
  mgpuMemFree(tensor->owner, NULL);
#else
  free(tensor->owner);
#endif
  tensor->owner = NULL;
  tensor->data = NULL;
}
