// RUN: interact-opt %s --interact-split-decay-classes --split-input-file --verify-diagnostics | FileCheck %s

#bth = affine_map<(b, t, h, n) -> (b, t, h)>
#hn = affine_map<(b, t, h, n) -> (h, n)>
#id = affine_map<(b, t, h, n) -> (b, t, h, n)>

// dt x A, A constant with columns {0, 2} and {1, 3} equal in every row:
// G = 2, two scalar scans over those columns of B, C and the initial state,
// outputs summed, final states put back in place.
// CHECK-LABEL: func.func @two_classes
// CHECK: %[[A:.*]] = linalg.generic
// CHECK: %[[A0:.*]] = tensor.extract_slice %[[A]][0, 0, 0, 0] [%{{.*}}, %{{.*}}, 2, 1] [1, 1, 1, 1] : tensor<?x?x2x4xf32> to tensor<?x?x2xf32>
// CHECK: %[[B0:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 1] [%{{.*}}, %{{.*}}, 1, 1] [1, 1, 1, 1] : tensor<?x?x1x1xf32> into tensor<?x?x1x2xf32>
// CHECK: %[[Y0:.*]], %[[S0:.*]] = interact.scan %{{.*}}, %[[A0]], %{{.*}}, %{{.*}} init %{{.*}} : {{.*}} -> tensor<?x?x2x3xf32>, tensor<?x2x3x2xf32>
// CHECK: %[[A1:.*]] = tensor.extract_slice %[[A]][0, 0, 0, 1]
// CHECK: %[[Y1:.*]], %[[S1:.*]] = interact.scan %{{.*}}, %[[A1]],
// CHECK: %[[Y:.*]] = linalg.generic {{.*}} ins(%[[Y0]], %[[Y1]] :
// CHECK: arith.addf
// CHECK: %[[F:.*]] = tensor.insert_slice %{{.*}} into %{{.*}}[0, 0, 0, 3] [%{{.*}}, 2, 3, 1]
// CHECK: return %[[Y]], %[[F]]
func.func @two_classes(%x: tensor<?x?x2x3xf32>, %dt: tensor<?x?x2xf32>,
                       %b: tensor<?x?x1x4xf32>, %s0: tensor<?x2x3x4xf32>)
    -> (tensor<?x?x2x3xf32>, tensor<?x2x3x4xf32>) {
  %A = arith.constant dense<[[-1.0, -2.0, -1.0, -2.0], [-0.5, -4.0, -0.5, -4.0]]> : tensor<2x4xf32>
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %bs = tensor.dim %dt, %c0 : tensor<?x?x2xf32>
  %ts = tensor.dim %dt, %c1 : tensor<?x?x2xf32>
  %e = tensor.empty(%bs, %ts) : tensor<?x?x2x4xf32>
  %a = linalg.generic {indexing_maps = [#bth, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dt, %A : tensor<?x?x2xf32>, tensor<2x4xf32>) outs(%e : tensor<?x?x2x4xf32>) {
  ^bb0(%d: f32, %av: f32, %o: f32):
    %r = arith.mulf %d, %av : f32
    linalg.yield %r : f32
  } -> tensor<?x?x2x4xf32>
  %y, %s = interact.scan %x, %a, %b, %b init %s0
      : tensor<?x?x2x3xf32>, tensor<?x?x2x4xf32>, tensor<?x?x1x4xf32>,
        tensor<?x?x1x4xf32>, tensor<?x2x3x4xf32>
      -> tensor<?x?x2x3xf32>, tensor<?x2x3x4xf32>
  return %y, %s : tensor<?x?x2x3xf32>, tensor<?x2x3x4xf32>
}

// -----

#bth = affine_map<(b, t, h, n) -> (b, t, h)>
#hn = affine_map<(b, t, h, n) -> (h, n)>
#id = affine_map<(b, t, h, n) -> (b, t, h, n)>

// Three classes {0, 1}, {2, 3}, {4, 5}: each a contiguous run of columns.
// CHECK-LABEL: func.func @three_classes
// CHECK-COUNT-3: interact.scan
// CHECK-NOT: interact.scan
func.func @three_classes(%x: tensor<1x8x1x2xf32>, %dt: tensor<1x8x1xf32>,
                         %b: tensor<1x8x1x6xf32>) -> tensor<1x8x1x2xf32> {
  %A = arith.constant dense<[[-1.0, -1.0, -2.0, -2.0, -3.0, -3.0]]> : tensor<1x6xf32>
  %e = tensor.empty() : tensor<1x8x1x6xf32>
  %a = linalg.generic {indexing_maps = [#bth, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dt, %A : tensor<1x8x1xf32>, tensor<1x6xf32>) outs(%e : tensor<1x8x1x6xf32>) {
  ^bb0(%d: f32, %av: f32, %o: f32):
    %r = arith.mulf %d, %av : f32
    linalg.yield %r : f32
  } -> tensor<1x8x1x6xf32>
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x8x1x2xf32>, tensor<1x8x1x6xf32>, tensor<1x8x1x6xf32>,
        tensor<1x8x1x6xf32> -> tensor<1x8x1x2xf32>, tensor<1x1x2x6xf32>
  return %y : tensor<1x8x1x2xf32>
}

// -----

// A broadcast along n is one class: one scalar scan over all columns.
// CHECK-LABEL: func.func @broadcast_is_one_class
// CHECK: %[[COL:.*]] = tensor.extract_slice %{{.*}}[0, 0, 0, 0] [1, 8, 2, 1]
// CHECK: interact.scan %{{.*}}, %[[COL]], %{{.*}}, %{{.*}} : tensor<1x8x2x4xf32>, tensor<1x8x2xf32>, tensor<1x8x1x16xf32>
// CHECK-NOT: interact.scan
func.func @broadcast_is_one_class(%x: tensor<1x8x2x4xf32>, %dt: tensor<1x8x2xf32>,
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

// CHECK-LABEL: func.func @negative_opaque
// CHECK: interact.scan %{{.*}} : tensor<1x8x2x4xf32>, tensor<1x8x2x16xf32>
func.func @negative_opaque(%x: tensor<1x8x2x4xf32>, %a: tensor<1x8x2x16xf32>,
                           %b: tensor<1x8x1x16xf32>) -> tensor<1x8x2x4xf32> {
  // expected-remark @+1 {{not split: no decay classes are proven (opaque decay: every column its own class): splitting would give one scan per state column}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2x16xf32>, tensor<1x8x1x16xf32>,
        tensor<1x8x1x16xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x16xf32>
  return %y : tensor<1x8x2x4xf32>
}

// -----

// CHECK-LABEL: func.func @negative_scalar
func.func @negative_scalar(%x: tensor<1x8x2x4xf32>, %a: tensor<1x8x2xf32>,
                           %b: tensor<1x8x1x16xf32>) -> tensor<1x8x2x4xf32> {
  // expected-remark @+1 {{not split: only scans with a diagonal decay are split}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2xf32>, tensor<1x8x1x16xf32>,
        tensor<1x8x1x16xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x16xf32>
  return %y : tensor<1x8x2x4xf32>
}
