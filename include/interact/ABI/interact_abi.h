/*===- interact_abi.h - The C ABI of libraries interact-compile makes -----===*\
|*                                                                            *|
|* A library made by `interact-compile model.mlir -o libmodel.so` exports,    *|
|* for a prefix PREFIX (`--prefix`, by default the library's file name        *|
|* without `lib` and `.so`), one function per public function of the module:  *|
|*                                                                            *|
|*   int PREFIX_NAME(const interact_tensor *arg0, ...,                        *|
|*                   interact_tensor *result0, ...);                          *|
|*                                                                            *|
|* declared in the header PREFIX.h written beside it, and the generic entry   *|
|* points below, PREFIX_call, PREFIX_output_shapes, PREFIX_signature,         *|
|* PREFIX_last_error, PREFIX_set_num_threads and PREFIX_tensor_free, with     *|
|* interact_library_v1() (one fixed name, for loaders that dlopen the         *|
|* library: python/interact). A CPU library needs libc, libm and the OpenMP   *|
|* runtime shipped beside it (libomp.so.5, found through its RUNPATH          *|
|* $ORIGIN); a GPU library needs libc only; no MLIR or LLVM.                  *|
|*                                                                            *|
|* Tensors. An interact_tensor is a view: data, dtype, rank, shape and        *|
|* strides, in elements (not bytes; negative and zero strides are allowed).   *|
|* interact_tensor_contiguous() fills the strides of a dense C-order array.   *|
|* Inputs are read only. Each output is either                                *|
|*   - allocated by the caller: data != NULL, and dtype, rank and shape       *|
|*     must be those the call produces (PREFIX_output_shapes computes them    *|
|*     from the inputs' shapes); the result is copied into the view; or       *|
|*   - allocated by the library: data == NULL on entry; on success the call   *|
|*     fills the whole struct (dense, C order) and `owner`, and the caller    *|
|*     releases it with PREFIX_tensor_free. No copy is made.                  *|
|*                                                                            *|
|* Errors. Every call validates its arguments before computing: null          *|
|* pointers, argument counts, dtypes, ranks, static dimensions, dynamic       *|
|* dimensions that must agree (the batch of x and of a, say), negative or     *|
|* absurd sizes, and caller-allocated outputs of the wrong shape. It returns  *|
|* INTERACT_OK (0) or one of the codes below, and PREFIX_last_error() gives   *|
|* the message of the calling thread's last failed call ("argument 'a' has    *|
|* t = 100 (dimension 1), but argument 'x' has t = 128 (dimension 1)").       *|
|* Outputs are untouched when a call fails.                                   *|
|*                                                                            *|
|* Threads. Calls may be made concurrently from any number of threads. The    *|
|* OpenMP threads a call uses are, in order of precedence: the call's         *|
|* interact_call_options.num_threads, the library's PREFIX_set_num_threads,   *|
|* the library's default (interact-compile's --num-threads), and the         *|
|* OpenMP runtime's own (OMP_NUM_THREADS, else one per core). The caller's    *|
|* own OpenMP setting is restored when the call returns.                      *|
|*                                                                            *|
|* GPU libraries. A library compiled for a GPU target (--target=sm_90 or      *|
|* sm_80) has the same entry points, but every tensor's data is a CUDA device *|
|* pointer (device 0, its primary context, the one PyTorch uses) and must be  *|
|* dense (C-order strides), inputs and caller-allocated outputs alike;        *|
|* library-allocated outputs are device memory. A call queues its work on     *|
|* interact_call_options.cuda_stream (NULL: the default stream) and returns   *|
|* without waiting for it: the caller synchronizes the stream before reading  *|
|* results on the host. Validation is the same; a missing GPU or a driver     *|
|* error is INTERACT_ERROR_DEVICE with the driver's message. The signature's  *|
|* "device" is "cuda" ("cpu" for CPU libraries). A failed call may have       *|
|* queued work already (outputs are written in place), and a kernel fault     *|
|* surfaces on a later call or synchronization.                               *|
|*                                                                            *|
|* Signature. PREFIX_signature() returns JSON: {"abi": 1, "library": PREFIX,  *|
|* "target": NAME, "functions": [{"name": ..., "arguments": [{"name": "x",    *|
|* "dtype": "f32", "shape": ["b", "t", 8, 64]}, ...], "results": [...]}]}.    *|
|* A dimension is a number (static) or a symbol: dimensions with one symbol   *|
|* must agree, and a result's symbols are those of the arguments it is made   *|
|* from. Symbols are the interact ops' dimension names (b, t, s, h, p, n, g)  *|
|* where an op names them, else ARG.DIM.                                      *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef INTERACT_ABI_INTERACT_ABI_H
#define INTERACT_ABI_INTERACT_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define INTERACT_ABI_VERSION 1
#define INTERACT_MAX_RANK 8

/* Element types. The numbering is part of the ABI. */
typedef enum interact_dtype {
  INTERACT_F16 = 0,
  INTERACT_BF16 = 1,
  INTERACT_F32 = 2,
  INTERACT_F64 = 3,
  INTERACT_I32 = 4,
  INTERACT_I64 = 5
} interact_dtype;

/* Return codes. The numbering is part of the ABI. */
typedef enum interact_status {
  INTERACT_OK = 0,
  INTERACT_ERROR_NULL_POINTER = 1,   /* a tensor, its data or an array */
  INTERACT_ERROR_ARGUMENT_COUNT = 2, /* PREFIX_call's counts */
  INTERACT_ERROR_DTYPE = 3,
  INTERACT_ERROR_RANK = 4,
  INTERACT_ERROR_SHAPE = 5,              /* a static dimension differs */
  INTERACT_ERROR_DIMENSION_MISMATCH = 6, /* dynamic dimensions disagree */
  INTERACT_ERROR_INVALID_VALUE = 7,      /* negative or absurd size, threads */
  INTERACT_ERROR_NO_FUNCTION = 8,        /* PREFIX_call's name */
  INTERACT_ERROR_OUT_OF_MEMORY = 9,
  INTERACT_ERROR_UNKNOWN_SHAPE = 10,   /* a result's shape that only the call
                                          knows, into a caller's buffer */
  INTERACT_ERROR_UNSUPPORTED_CPU = 11, /* the library's target needs an
                                         instruction set this CPU lacks */
  INTERACT_ERROR_DEVICE = 12 /* a GPU library: no CUDA device, a driver
                                error, or a tensor that is not dense */
} interact_status;

/* A strided view of a tensor. `owner` is the library's, for outputs it
   allocates; callers leave it NULL. */
typedef struct interact_tensor {
  void *data;
  interact_dtype dtype;
  int32_t rank;
  int64_t shape[INTERACT_MAX_RANK];
  int64_t strides[INTERACT_MAX_RANK];
  void *owner;
} interact_tensor;

/* Per-call options; a NULL pointer means all defaults. */
typedef struct interact_call_options {
  int32_t num_threads; /* 0: the library's setting (CPU libraries) */
  void *cuda_stream;   /* GPU libraries: the CUstream the call's work is
                          queued on; NULL: the default stream */
} interact_call_options;

/* A dense C-order view of `data` (strides filled in, owner NULL). */
static inline interact_tensor interact_tensor_contiguous(void *data,
                                                         interact_dtype dtype,
                                                         int32_t rank,
                                                         const int64_t *shape) {
  interact_tensor t;
  int64_t stride = 1;
  int32_t i;
  t.data = data;
  t.dtype = dtype;
  t.rank = rank;
  t.owner = 0;
  for (i = 0; i < INTERACT_MAX_RANK; ++i)
    t.shape[i] = t.strides[i] = 0;
  for (i = rank - 1; i >= 0 && i < INTERACT_MAX_RANK; --i) {
    t.shape[i] = shape[i];
    t.strides[i] = stride;
    stride *= shape[i];
  }
  return t;
}

/* What interact_library_v1() returns: the generic entry points of one
   library, for loaders. Each behaves as the PREFIX_ function of its name. */
typedef struct interact_library {
  int32_t abi_version; /* INTERACT_ABI_VERSION */
  const char *prefix;
  const char *(*signature)(void);
  int (*call)(const char *function, const interact_tensor *inputs,
              int64_t num_inputs, interact_tensor *outputs, int64_t num_outputs,
              const interact_call_options *options);
  int (*output_shapes)(const char *function, const interact_tensor *inputs,
                       int64_t num_inputs, interact_tensor *outputs,
                       int64_t num_outputs);
  const char *(*last_error)(void);
  int (*set_num_threads)(int32_t num_threads);
  void (*tensor_free)(interact_tensor *tensor);
} interact_library;

/* The generic entry points every library exports, with its prefix:

   const char *PREFIX_signature(void);
     The JSON signature (static storage).

   int PREFIX_call(const char *function, const interact_tensor *inputs,
                   int64_t num_inputs, interact_tensor *outputs,
                   int64_t num_outputs, const interact_call_options *options);
     Calls `function` by name; `options` may be NULL.

   int PREFIX_output_shapes(const char *function,
                            const interact_tensor *inputs, int64_t num_inputs,
                            interact_tensor *outputs, int64_t num_outputs);
     Validates the inputs and sets each output's dtype, rank, shape and
     dense strides (data untouched): the views a caller allocates. Fails
     with INTERACT_ERROR_UNKNOWN_SHAPE for a result whose size the inputs'
     shapes do not determine.

   const char *PREFIX_last_error(void);
     The calling thread's last error message ("" if none).

   int PREFIX_set_num_threads(int32_t num_threads);
     The library's thread count for later calls (0: the default);
     INTERACT_ERROR_INVALID_VALUE outside [0, 1024] (so is a call's
     interact_call_options.num_threads).

   void PREFIX_tensor_free(interact_tensor *tensor);
     Frees an output the library allocated and clears `data` and `owner`;
     does nothing for a caller's view or NULL.

   const interact_library *interact_library_v1(void);
*/

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* INTERACT_ABI_INTERACT_ABI_H */
