// RUN: interact-opt %s --interact-scan-to-attention --split-input-file --verify-diagnostics | FileCheck %s

// A scalar-decay scan is semiseparable attention: q = C, k = B, v = x.
// CHECK-LABEL: func.func @scalar
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x4x8xf32>, %[[A:.*]]: tensor<2x16x4xf32>, %[[B:.*]]: tensor<2x16x2x32xf32>, %[[C:.*]]: tensor<2x16x2x32xf32>)
// CHECK: %[[Y:.*]] = interact.attention identity semiseparable %[[C]], %[[B]], %[[X]] decay %[[A]] : tensor<2x16x2x32xf32>, tensor<2x16x2x32xf32>, tensor<2x16x4x8xf32>, tensor<2x16x4xf32> -> tensor<2x16x4x8xf32>
// CHECK-NOT: interact.scan
// CHECK: return %[[Y]]
func.func @scalar(%x: tensor<2x16x4x8xf32>, %a: tensor<2x16x4xf32>,
                  %b: tensor<2x16x2x32xf32>, %c: tensor<2x16x2x32xf32>)
    -> tensor<2x16x4x8xf32> {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<2x16x4x8xf32>, tensor<2x16x4xf32>, tensor<2x16x2x32xf32>,
        tensor<2x16x2x32xf32> -> tensor<2x16x4x8xf32>, tensor<2x4x8x32xf32>
  return %y : tensor<2x16x4x8xf32>
}

// -----

// The initial state adds exp(prefix sum of a) S_0 C_i to y_i; the used final
// state is exp(total) S_0 + sum_j exp(suffix sum after j) x_j B_j^T.
// CHECK-LABEL: func.func @initial_and_final_state
// CHECK: %[[ATT:.*]] = interact.attention identity semiseparable
// CHECK: %[[PREFIX:.*]] = linalg.generic {{.*}}iterator_types = ["parallel", "parallel", "parallel", "reduction"]
// CHECK: arith.cmpi ule
// CHECK: %[[READ:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}} : tensor<?x4x8x32xf32>, tensor<?x?x2x32xf32>)
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[ATT]], %[[READ]], %[[PREFIX]] :
// CHECK: math.exp
// CHECK: %[[SUFFIX:.*]] = linalg.generic
// CHECK: %[[STATES:.*]] = linalg.generic {{.*}} ins(%[[SUFFIX]], %{{.*}}, %{{.*}} :
// CHECK: %[[TOTAL:.*]] = linalg.generic
// CHECK: %[[FINAL:.*]] = linalg.generic {{.*}} ins(%[[STATES]], %[[TOTAL]], %{{.*}} :
// CHECK: return %[[Y]], %[[FINAL]]
func.func @initial_and_final_state(%x: tensor<?x?x4x8xf32>,
                                   %a: tensor<?x?x4xf32>,
                                   %b: tensor<?x?x2x32xf32>,
                                   %s0: tensor<?x4x8x32xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x32xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x2x32xf32>,
        tensor<?x?x2x32xf32>, tensor<?x4x8x32xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x32xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x32xf32>
}

// -----

// A diagonal decay broadcast along n has one decay class (G = 1): column 0
// is the scalar decay.
// CHECK-LABEL: func.func @broadcast_diagonal
// CHECK: %[[BC:.*]] = linalg.broadcast
// CHECK: %[[COL:.*]] = tensor.extract_slice %[[BC]][0, 0, 0, 0] [1, 8, 2, 1] [1, 1, 1, 1] : tensor<1x8x2x16xf32> to tensor<1x8x2xf32>
// CHECK: interact.attention identity semiseparable {{.*}} decay %[[COL]]
func.func @broadcast_diagonal(%x: tensor<1x8x2x4xf32>, %dt: tensor<1x8x2xf32>,
                              %b: tensor<1x8x1x16xf32>) -> tensor<1x8x2x4xf32> {
  %e = tensor.empty() : tensor<1x8x2x16xf32>
  %a = linalg.broadcast ins(%dt : tensor<1x8x2xf32>)
      outs(%e : tensor<1x8x2x16xf32>) dimensions = [3]
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1x16xf32>,
        tensor<1x8x1x16xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x16xf32>
  return %y : tensor<1x8x2x4xf32>
}

// -----

// dt x A with a constant A of two distinct values per row: G = 2.
#bth = affine_map<(b, t, h, n) -> (b, t, h)>
#hn = affine_map<(b, t, h, n) -> (h, n)>
#id = affine_map<(b, t, h, n) -> (b, t, h, n)>
// CHECK-LABEL: func.func @negative_two_classes
// CHECK: interact.scan
// CHECK-NOT: interact.attention
func.func @negative_two_classes(%x: tensor<1x8x2x4xf32>, %dt: tensor<1x8x2xf32>,
                                %b: tensor<1x8x1x4xf32>) -> tensor<1x8x2x4xf32> {
  %A = arith.constant dense<[[-1.0, -2.0, -1.0, -2.0], [-0.5, -3.0, -0.5, -3.0]]> : tensor<2x4xf32>
  %e = tensor.empty() : tensor<1x8x2x4xf32>
  %a = linalg.generic {indexing_maps = [#bth, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dt, %A : tensor<1x8x2xf32>, tensor<2x4xf32>) outs(%e : tensor<1x8x2x4xf32>) {
  ^bb0(%d: f32, %av: f32, %o: f32):
    %r = arith.mulf %d, %av : f32
    linalg.yield %r : f32
  } -> tensor<1x8x2x4xf32>
  // expected-remark @+1 {{not rewritten to attention: a diagonal decay with G = 2 decay classes (dt x constant A) is a sum of G semiseparable attentions, not one: run interact-split-decay-classes first}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x1x4xf32>,
        tensor<1x8x1x4xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x4xf32>
  return %y : tensor<1x8x2x4xf32>
}

// -----

// A decay that is a function argument proves nothing: G = n.
// CHECK-LABEL: func.func @negative_opaque_decay
// CHECK: interact.scan
func.func @negative_opaque_decay(%x: tensor<1x8x2x4xf32>, %a: tensor<1x8x2x16xf32>,
                                 %b: tensor<1x8x1x16xf32>) -> tensor<1x8x2x4xf32> {
  // expected-remark @+1 {{not rewritten to attention: a diagonal decay with G = 16 decay classes (opaque decay: every column its own class)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1x16xf32>,
        tensor<1x8x1x16xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x16xf32>
  return %y : tensor<1x8x2x4xf32>
}

// -----

// Chunked scans are not touched (run interact-select-form to change form).
// CHECK-LABEL: func.func @negative_chunked
// CHECK: interact.chunked_scan
func.func @negative_chunked(%x: tensor<1x8x2x4xf32>, %a: tensor<1x8x2xf32>,
                            %b: tensor<1x8x1x16xf32>) -> tensor<1x8x2x4xf32> {
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 4
      : tensor<1x8x2x4xf32>, tensor<1x8x2xf32>, tensor<1x8x1x16xf32>,
        tensor<1x8x1x16xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x16xf32>
  return %y : tensor<1x8x2x4xf32>
}
