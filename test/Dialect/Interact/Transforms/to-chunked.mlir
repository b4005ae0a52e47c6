// RUN: interact-opt %s --interact-to-chunked=chunk-size=32 --split-input-file --verify-diagnostics | FileCheck %s
// RUN: not interact-opt %s --interact-to-chunked=chunk-size=0 -o /dev/null 2>&1 | FileCheck %s --check-prefix=ZERO
// RUN: %expect_exit 1 interact-opt %s --interact-to-chunked=chunk-size=1025 -o /dev/null | FileCheck %s --check-prefix=LARGE
// RUN: %expect_exit 1 interact-opt %s --interact-to-chunked=chunk-size=65536 -o /dev/null | FileCheck %s --check-prefix=HUGE
// RUN: interact-opt %s --interact-to-chunked=chunk-size=1024 --split-input-file -o /dev/null

// ZERO: error: interact-to-chunked: chunk-size must be between 1 and 1024, got 0
// LARGE: error: interact-to-chunked: chunk-size must be between 1 and 1024, got 1025
// HUGE: error: interact-to-chunked: chunk-size must be between 1 and 1024, got 65536

// CHECK-LABEL: func.func @scan
// CHECK-SAME: (%[[X:.*]]: tensor<?x?x4x8xf32>, %[[A:.*]]: tensor<?x?x4x16xf32>, %[[B:.*]]: tensor<?x?x1x16xf32>, %[[S0:.*]]: tensor<?x4x8x16xf32>)
// CHECK: %[[Y:.*]], %[[S:.*]] = interact.chunked_scan %[[X]], %[[A]], %[[B]], %[[B]] init %[[S0]] chunk_size 32
// CHECK: return %[[Y]], %[[S]]
func.func @scan(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4x16xf32>,
                %b: tensor<?x?x1x16xf32>, %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<?x?x4x8xf32>, tensor<?x?x4x16xf32>, tensor<?x?x1x16xf32>,
        tensor<?x?x1x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

// -----

// Linear attention goes through its scan.
// CHECK-LABEL: func.func @attention
// CHECK: %[[Y:.*]], %{{.*}} = interact.chunked_scan {{.*}} chunk_size 32 : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<2x16x1x16xf32>, tensor<2x16x1x16xf32> -> tensor<2x16x4x8xf32>, tensor<2x4x8x16xf32>
// CHECK: return %[[Y]]
func.func @attention(%c: tensor<2x16x1x16xf32>, %x: tensor<2x16x4x8xf32>,
                     %a: tensor<2x16x4xf32>) -> tensor<2x16x4x8xf32> {
  %y = interact.attention identity semiseparable %c, %c, %x decay %a
      : tensor<2x16x1x16xf32>, tensor<2x16x1x16xf32>, tensor<2x16x4x8xf32>,
        tensor<2x16x4xf32> -> tensor<2x16x4x8xf32>
  return %y : tensor<2x16x4x8xf32>
}

// -----

// CHECK-LABEL: func.func @negative_softmax
// CHECK: interact.attention softmax causal
func.func @negative_softmax(%q: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {
  // expected-remark @+1 {{not rewritten to a chunked scan: softmax attention has no finite-state recurrence}}
  %y = interact.attention softmax causal %q, %q, %q
      : tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>
      -> tensor<1x8x2x16xf32>
  return %y : tensor<1x8x2x16xf32>
}

// -----

// Already chunked ops keep their chunk size.
// CHECK-LABEL: func.func @negative_chunked
// CHECK: chunk_size 8
func.func @negative_chunked(%x: tensor<1x8x2x4xf32>, %a: tensor<1x8x2xf32>,
                            %b: tensor<1x8x1x16xf32>) -> tensor<1x8x2x4xf32> {
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 8
      : tensor<1x8x2x4xf32>, tensor<1x8x2xf32>, tensor<1x8x1x16xf32>,
        tensor<1x8x1x16xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x16xf32>
  return %y : tensor<1x8x2x4xf32>
}
