// RUN: interact-opt %s --interact-attention-to-scan --split-input-file --verify-diagnostics | FileCheck %s

// SSD's layout needs no head broadcast: x = v, B = k, C = q, a = decay.
// CHECK-LABEL: func.func @semiseparable
// CHECK-SAME: (%[[C:.*]]: tensor<?x?x2x16xf32>, %[[B:.*]]: tensor<?x?x2x16xf32>, %[[X:.*]]: tensor<?x?x4x8xf32>, %[[A:.*]]: tensor<?x?x4xf32>)
// CHECK: %[[Y:.*]], %{{.*}} = interact.scan %[[X]], %[[A]], %[[B]], %[[C]] : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32> -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
// CHECK: return %[[Y]]
func.func @semiseparable(%c: tensor<?x?x2x16xf32>, %b: tensor<?x?x2x16xf32>,
                         %x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>)
    -> tensor<?x?x4x8xf32> {
  %y = interact.attention identity semiseparable %c, %b, %x decay %a
      : tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x4x8xf32>,
        tensor<?x?x4xf32> -> tensor<?x?x4x8xf32>
  return %y : tensor<?x?x4x8xf32>
}

// -----

// Causal attention is a scan with zero log-decays; grouped values are
// broadcast to all heads, q and k with different head counts both are, and
// the scale multiplies the output.
// CHECK-LABEL: func.func @causal_grouped_scaled
// CHECK: %[[ZERO:.*]] = linalg.fill ins(%{{.*}} : f32) outs(%{{.*}} : tensor<2x16x8xf32>)
// CHECK: %[[Y:.*]], %{{.*}} = interact.scan %{{.*}}, %[[ZERO]], %{{.*}}, %{{.*}} : tensor<2x16x8x4xf16>, tensor<2x16x8xf32>, tensor<2x16x8x32xf16>, tensor<2x16x8x32xf16> -> tensor<2x16x8x4xf16>, tensor<2x8x4x32xf32>
// CHECK: %[[SCALED:.*]] = linalg.generic {{.*}} ins(%[[Y]] : tensor<2x16x8x4xf16>)
// CHECK: arith.mulf %{{.*}}, %cst{{.*}} : f32
// CHECK: return %[[SCALED]]
func.func @causal_grouped_scaled(%q: tensor<2x16x8x32xf16>, %k: tensor<2x16x2x32xf16>,
                                 %v: tensor<2x16x1x4xf16>) -> tensor<2x16x8x4xf16> {
  %y = interact.attention identity causal %q, %k, %v scale 0.5
      : tensor<2x16x8x32xf16>, tensor<2x16x2x32xf16>, tensor<2x16x1x4xf16>
      -> tensor<2x16x8x4xf16>
  return %y : tensor<2x16x8x4xf16>
}

// -----

// CHECK-LABEL: func.func @negative_softmax
// CHECK: interact.attention softmax causal
func.func @negative_softmax(%q: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {
  // expected-remark @+1 {{not rewritten to a scan: softmax attention has no finite-state recurrence: its interaction rank grows with sequence length}}
  %y = interact.attention softmax causal %q, %q, %q
      : tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>
      -> tensor<1x8x2x16xf32>
  return %y : tensor<1x8x2x16xf32>
}

// -----

// CHECK-LABEL: func.func @negative_not_causal
// CHECK: interact.attention identity none
func.func @negative_not_causal(%q: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {
  // expected-remark @+1 {{not rewritten to a scan: attention with mask 'none' is not causal: it has no forward recurrence}}
  %y = interact.attention identity none %q, %q, %q
      : tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>
      -> tensor<1x8x2x16xf32>
  return %y : tensor<1x8x2x16xf32>
}
