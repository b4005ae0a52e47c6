// Statically empty batches and sequences: y is empty and the final state is
// the initial one (here a constant 1.5), in every form; attention over no
// queries is empty, and softmax attention over no keys is 0.
//
// RUN: interact-run %s --target=%{target} --function=scan_no_steps --random-inputs=1 --check | FileCheck %s --check-prefix=STATE
// RUN: interact-run %s --target=%{target} --function=chunked_no_steps --random-inputs=1 --check | FileCheck %s --check-prefix=STATE
// RUN: interact-run %s --target=%{target} --function=chunked_diagonal_no_steps --random-inputs=1 --check | FileCheck %s --check-prefix=STATE
// RUN: interact-run %s --target=%{target} --function=scan_no_batch --random-inputs=1 --check | FileCheck %s --check-prefix=NOBATCH
// RUN: interact-run %s --target=%{target} --function=softmax_no_keys --random-inputs=1 --check | FileCheck %s --check-prefix=NOKEYS
// RUN: interact-run %s --target=%{target} --function=causal_no_queries --random-inputs=1 --check | FileCheck %s --check-prefix=NOQUERIES
// RUN: interact-run %s --target=%{target} --function=semiseparable_no_batch --random-inputs=1 --check | FileCheck %s --check-prefix=SEMI
// RUN: interact-run %s --target=%{target} --function=semiseparable_no_steps --random-inputs=1 --check | FileCheck %s --check-prefix=SEMI

// STATE: output 0: tensor<1x0x2x4xf32>
// STATE: output 1: tensor<1x2x4x4xf32> min 1.5 max 1.5
// STATE: check: PASSED
// NOBATCH: output 0: tensor<0x5x2x4xf32>
// NOBATCH: output 1: tensor<0x2x4x4xf32>
// NOBATCH: check: PASSED
// NOKEYS: output 0: tensor<1x3x2x4xf32> min 0 max 0
// NOKEYS: check: PASSED
// NOQUERIES: output 0: tensor<1x0x2x4xf32>
// NOQUERIES: check: PASSED
// SEMI: output 0: tensor<{{0x5|2x0}}x1x1xf32>
// SEMI: check: PASSED

func.func @scan_no_steps(%x: tensor<1x0x2x4xf32>, %a: tensor<1x0x2xf32>,
                         %b: tensor<1x0x1x4xf32>, %c: tensor<1x0x1x4xf32>)
    -> (tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>) {
  %s0 = arith.constant dense<1.5> : tensor<1x2x4x4xf32>
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<1x0x2x4xf32>, tensor<1x0x2xf32>, tensor<1x0x1x4xf32>,
        tensor<1x0x1x4xf32>, tensor<1x2x4x4xf32>
      -> tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>
  return %y, %s : tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>
}

func.func @chunked_no_steps(%x: tensor<1x0x2x4xf32>, %a: tensor<1x0x2xf32>,
                            %b: tensor<1x0x1x4xf32>, %c: tensor<1x0x1x4xf32>)
    -> (tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>) {
  %s0 = arith.constant dense<1.5> : tensor<1x2x4x4xf32>
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 16
      : tensor<1x0x2x4xf32>, tensor<1x0x2xf32>, tensor<1x0x1x4xf32>,
        tensor<1x0x1x4xf32>, tensor<1x2x4x4xf32>
      -> tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>
  return %y, %s : tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>
}

func.func @chunked_diagonal_no_steps(%x: tensor<1x0x2x4xf32>,
                                     %a: tensor<1x0x2x4xf32>,
                                     %b: tensor<1x0x1x4xf32>,
                                     %c: tensor<1x0x1x4xf32>)
    -> (tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>) {
  %s0 = arith.constant dense<1.5> : tensor<1x2x4x4xf32>
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 16
      : tensor<1x0x2x4xf32>, tensor<1x0x2x4xf32>, tensor<1x0x1x4xf32>,
        tensor<1x0x1x4xf32>, tensor<1x2x4x4xf32>
      -> tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>
  return %y, %s : tensor<1x0x2x4xf32>, tensor<1x2x4x4xf32>
}

func.func @scan_no_batch(%x: tensor<0x5x2x4xf32>, %a: tensor<0x5x2xf32>,
                         %b: tensor<0x5x1x4xf32>, %c: tensor<0x5x1x4xf32>)
    -> (tensor<0x5x2x4xf32>, tensor<0x2x4x4xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<0x5x2x4xf32>, tensor<0x5x2xf32>, tensor<0x5x1x4xf32>,
        tensor<0x5x1x4xf32> -> tensor<0x5x2x4xf32>, tensor<0x2x4x4xf32>
  return %y, %s : tensor<0x5x2x4xf32>, tensor<0x2x4x4xf32>
}

func.func @softmax_no_keys(%q: tensor<1x3x2x8xf32>, %k: tensor<1x0x2x8xf32>,
                           %v: tensor<1x0x2x4xf32>) -> tensor<1x3x2x4xf32> {
  %y = interact.attention softmax none %q, %k, %v
      : tensor<1x3x2x8xf32>, tensor<1x0x2x8xf32>, tensor<1x0x2x4xf32>
      -> tensor<1x3x2x4xf32>
  return %y : tensor<1x3x2x4xf32>
}

func.func @causal_no_queries(%q: tensor<1x0x2x8xf32>, %k: tensor<1x0x2x8xf32>,
                             %v: tensor<1x0x2x4xf32>) -> tensor<1x0x2x4xf32> {
  %y = interact.attention softmax causal %q, %k, %v
      : tensor<1x0x2x8xf32>, tensor<1x0x2x8xf32>, tensor<1x0x2x4xf32>
      -> tensor<1x0x2x4xf32>
  return %y : tensor<1x0x2x4xf32>
}

func.func @semiseparable_no_batch(%q: tensor<0x5x1x1xf32>, %k: tensor<0x5x1x1xf32>,
                                  %v: tensor<0x5x1x1xf32>, %a: tensor<0x5x1xf32>)
    -> tensor<0x5x1x1xf32> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %a
      : tensor<0x5x1x1xf32>, tensor<0x5x1x1xf32>, tensor<0x5x1x1xf32>,
        tensor<0x5x1xf32> -> tensor<0x5x1x1xf32>
  return %y : tensor<0x5x1x1xf32>
}

func.func @semiseparable_no_steps(%q: tensor<2x0x1x1xf32>, %k: tensor<2x0x1x1xf32>,
                                  %v: tensor<2x0x1x1xf32>, %a: tensor<2x0x1xf32>)
    -> tensor<2x0x1x1xf32> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a
      : tensor<2x0x1x1xf32>, tensor<2x0x1x1xf32>, tensor<2x0x1x1xf32>,
        tensor<2x0x1xf32> -> tensor<2x0x1x1xf32>
  return %y : tensor<2x0x1x1xf32>
}
