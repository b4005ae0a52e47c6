/*===- Library.h - What interact-compile's generated glue calls -----------===*\
|*                                                                            *|
|* The tables a generated library describes its functions with, and the      *|
|* runtime that validates calls against them, marshals memref descriptors    *|
|* and hands results back (include/interact/ABI/interact_abi.h). Not         *|
|* installed: interact-compile embeds this header and Library.c and compiles *|
|* them into every library it makes, with hidden visibility, beside the      *|
|* generated glue.                                                           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef INTERACT_ABI_LIBRARY_H
#define INTERACT_ABI_LIBRARY_H

#include "interact_abi.h"

#include <stdint.h>

/* One argument or result: shape[d] >= 0 is a static size, -1 - k names
   symbol k of the function. */
typedef struct interact_abi_tensor_spec {
  const char *name;
  int32_t dtype;
  int32_t rank;
  const int64_t *shape;
} interact_abi_tensor_spec;

/* A dimension symbol: its name, the static size its class has (-1 if
   none), and whether an argument has it (else results of its size are
   known only after the call). */
typedef struct interact_abi_symbol {
  const char *name;
  int64_t size;
  int32_t bound;
} interact_abi_symbol;

/* Calls the compiled function's C interface (_mlir_ciface_NAME): `results`
   is the descriptor of its result, or the struct of its results'
   descriptors, and arguments[i] the descriptor of argument i. */
typedef void (*interact_abi_invoke)(void *results, void **arguments);

typedef struct interact_abi_function {
  const char *name;
  int32_t num_arguments, num_results, num_symbols;
  const interact_abi_tensor_spec *arguments;
  const interact_abi_tensor_spec *results;
  const interact_abi_symbol *symbols;
  interact_abi_invoke invoke;
} interact_abi_function;

typedef struct interact_abi_module {
  const char *prefix;
  const char *signature; /* JSON */
  const char *target;    /* the target's name and the features it needs */
  const char *features;
  int (*cpu_supported)(void); /* whether this CPU has them */
  int32_t default_threads;    /* interact-compile --threads; 0: OpenMP's */
  int32_t num_functions;
  const interact_abi_function *functions;
  int32_t *num_threads; /* PREFIX_set_num_threads's, read atomically */
} interact_abi_module;

int interact_abi_call(const interact_abi_module *module, const char *function,
                      const interact_tensor *inputs, int64_t num_inputs,
                      interact_tensor *outputs, int64_t num_outputs,
                      const interact_call_options *options);
/* Calls function `index` with one pointer per argument and result, as the
   named entry points PREFIX_NAME take them. */
int interact_abi_call_pointers(const interact_abi_module *module, int32_t index,
                               const interact_tensor *const *inputs,
                               interact_tensor *const *outputs,
                               const interact_call_options *options);
int interact_abi_output_shapes(const interact_abi_module *module,
                               const char *function,
                               const interact_tensor *inputs,
                               int64_t num_inputs, interact_tensor *outputs,
                               int64_t num_outputs);
const char *interact_abi_last_error(void);
int interact_abi_set_num_threads(const interact_abi_module *module,
                                 int32_t num_threads);
void interact_abi_tensor_free(interact_tensor *tensor);

#endif /* INTERACT_ABI_LIBRARY_H */
