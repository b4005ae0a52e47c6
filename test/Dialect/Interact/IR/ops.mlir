// RUN: interact-opt %s --verify-roundtrip | FileCheck %s
// RUN: interact-opt %s --mlir-print-op-generic | interact-opt | FileCheck %s

//===----------------------------------------------------------------------===//
// interact.scan
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @scan_scalar_decay
// CHECK-SAME: (%[[X:.*]]: tensor<2x16x8x64xf32>, %[[A:.*]]: tensor<2x16x8xf32>, %[[B:.*]]: tensor<2x16x1x32xf32>, %[[C:.*]]: tensor<2x16x1x32xf32>)
// CHECK: %[[Y:.*]], %[[S:.*]] = interact.scan %[[X]], %[[A]], %[[B]], %[[C]] : tensor<2x16x8x64xf32>, tensor<2x16x8xf32>, tensor<2x16x1x32xf32>, tensor<2x16x1x32xf32> -> tensor<2x16x8x64xf32>, tensor<2x8x64x32xf32>
// CHECK: return %[[Y]], %[[S]]
func.func @scan_scalar_decay(%x: tensor<2x16x8x64xf32>, %a: tensor<2x16x8xf32>,
                             %b: tensor<2x16x1x32xf32>, %c: tensor<2x16x1x32xf32>)
    -> (tensor<2x16x8x64xf32>, tensor<2x8x64x32xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<2x16x8x64xf32>, tensor<2x16x8xf32>, tensor<2x16x1x32xf32>,
        tensor<2x16x1x32xf32> -> tensor<2x16x8x64xf32>, tensor<2x8x64x32xf32>
  return %y, %s : tensor<2x16x8x64xf32>, tensor<2x8x64x32xf32>
}

// CHECK-LABEL: func.func @scan_diagonal_decay_groups_equal_heads
// CHECK: interact.scan %{{.*}} : tensor<1x7x4x8xf32>, tensor<1x7x4x16xf32>, tensor<1x7x4x16xf32>, tensor<1x7x4x16xf32> -> tensor<1x7x4x8xf32>, tensor<1x4x8x16xf32>
func.func @scan_diagonal_decay_groups_equal_heads(
    %x: tensor<1x7x4x8xf32>, %a: tensor<1x7x4x16xf32>,
    %b: tensor<1x7x4x16xf32>, %c: tensor<1x7x4x16xf32>) -> tensor<1x7x4x8xf32> {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<1x7x4x8xf32>, tensor<1x7x4x16xf32>, tensor<1x7x4x16xf32>,
        tensor<1x7x4x16xf32> -> tensor<1x7x4x8xf32>, tensor<1x4x8x16xf32>
  return %y : tensor<1x7x4x8xf32>
}

// CHECK-LABEL: func.func @scan_grouped_with_initial_state
// CHECK: interact.scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} init %{{.*}} : tensor<3x5x6x4xf32>, tensor<3x5x6xf32>, tensor<3x5x2x8xf32>, tensor<3x5x2x8xf32>, tensor<3x6x4x8xf32> -> tensor<3x5x6x4xf32>, tensor<3x6x4x8xf32>
func.func @scan_grouped_with_initial_state(
    %x: tensor<3x5x6x4xf32>, %a: tensor<3x5x6xf32>, %b: tensor<3x5x2x8xf32>,
    %c: tensor<3x5x2x8xf32>, %s0: tensor<3x6x4x8xf32>)
    -> (tensor<3x5x6x4xf32>, tensor<3x6x4x8xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<3x5x6x4xf32>, tensor<3x5x6xf32>, tensor<3x5x2x8xf32>,
        tensor<3x5x2x8xf32>, tensor<3x6x4x8xf32>
      -> tensor<3x5x6x4xf32>, tensor<3x6x4x8xf32>
  return %y, %s : tensor<3x5x6x4xf32>, tensor<3x6x4x8xf32>
}

// Dynamic batch and length, partly known in some operands only.
// CHECK-LABEL: func.func @scan_dynamic_sizes
// CHECK: interact.scan %{{.*}} init %{{.*}} : tensor<?x?x8x64xf32>, tensor<?x?x8x128xf32>, tensor<?x?x1x128xf32>, tensor<2x?x1x128xf32>, tensor<?x8x64x128xf32> -> tensor<?x100x8x64xf32>, tensor<?x8x64x128xf32>
func.func @scan_dynamic_sizes(
    %x: tensor<?x?x8x64xf32>, %a: tensor<?x?x8x128xf32>,
    %b: tensor<?x?x1x128xf32>, %c: tensor<2x?x1x128xf32>,
    %s0: tensor<?x8x64x128xf32>) -> tensor<?x100x8x64xf32> {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x8x64xf32>, tensor<?x?x8x128xf32>, tensor<?x?x1x128xf32>,
        tensor<2x?x1x128xf32>, tensor<?x8x64x128xf32>
      -> tensor<?x100x8x64xf32>, tensor<?x8x64x128xf32>
  return %y : tensor<?x100x8x64xf32>
}

// f16 and bf16 inputs keep decays and states in f32, or in their own type.
// CHECK-LABEL: func.func @scan_half_precision
// CHECK: interact.scan %{{.*}} init %{{.*}} : tensor<1x9x4x8xf16>, tensor<1x9x4xf32>, tensor<1x9x2x16xf16>, tensor<1x9x2x16xf16>, tensor<1x4x8x16xf32> -> tensor<1x9x4x8xf16>, tensor<1x4x8x16xf32>
// CHECK: interact.scan %{{.*}} : tensor<1x9x4x8xbf16>, tensor<1x9x4x16xbf16>, tensor<1x9x2x16xbf16>, tensor<1x9x2x16xbf16> -> tensor<1x9x4x8xbf16>, tensor<1x4x8x16xbf16>
// CHECK: interact.scan %{{.*}} : tensor<1x9x4x8xf64>, tensor<1x9x4xf64>, tensor<1x9x2x16xf64>, tensor<1x9x2x16xf64> -> tensor<1x9x4x8xf64>, tensor<1x4x8x16xf64>
func.func @scan_half_precision(
    %x16: tensor<1x9x4x8xf16>, %a32: tensor<1x9x4xf32>,
    %b16: tensor<1x9x2x16xf16>, %s32: tensor<1x4x8x16xf32>,
    %xb: tensor<1x9x4x8xbf16>, %ab: tensor<1x9x4x16xbf16>,
    %bb: tensor<1x9x2x16xbf16>, %x64: tensor<1x9x4x8xf64>,
    %a64: tensor<1x9x4xf64>, %b64: tensor<1x9x2x16xf64>) {
  %y0, %s0 = interact.scan %x16, %a32, %b16, %b16 init %s32
      : tensor<1x9x4x8xf16>, tensor<1x9x4xf32>, tensor<1x9x2x16xf16>,
        tensor<1x9x2x16xf16>, tensor<1x4x8x16xf32>
      -> tensor<1x9x4x8xf16>, tensor<1x4x8x16xf32>
  %y1, %s1 = interact.scan %xb, %ab, %bb, %bb
      : tensor<1x9x4x8xbf16>, tensor<1x9x4x16xbf16>, tensor<1x9x2x16xbf16>,
        tensor<1x9x2x16xbf16> -> tensor<1x9x4x8xbf16>, tensor<1x4x8x16xbf16>
  %y2, %s2 = interact.scan %x64, %a64, %b64, %b64
      : tensor<1x9x4x8xf64>, tensor<1x9x4xf64>, tensor<1x9x2x16xf64>,
        tensor<1x9x2x16xf64> -> tensor<1x9x4x8xf64>, tensor<1x4x8x16xf64>
  return
}

//===----------------------------------------------------------------------===//
// interact.chunked_scan
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @chunked_scan_variants
// CHECK: interact.chunked_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} chunk_size 64 : tensor<2x256x8x64xf32>, tensor<2x256x8xf32>, tensor<2x256x1x64xf32>, tensor<2x256x1x64xf32> -> tensor<2x256x8x64xf32>, tensor<2x8x64x64xf32>
// CHECK: interact.chunked_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} init %{{.*}} chunk_size 48 : tensor<?x?x8x64xbf16>, tensor<?x?x8x64xf32>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x8x64x64xf32> -> tensor<?x?x8x64xbf16>, tensor<?x8x64x64xf32>
func.func @chunked_scan_variants(
    %x: tensor<2x256x8x64xf32>, %a: tensor<2x256x8xf32>,
    %b: tensor<2x256x1x64xf32>, %xd: tensor<?x?x8x64xbf16>,
    %ad: tensor<?x?x8x64xf32>, %bd: tensor<?x?x4x64xbf16>,
    %sd: tensor<?x8x64x64xf32>) {
  %y0, %s0 = interact.chunked_scan %x, %a, %b, %b chunk_size 64
      : tensor<2x256x8x64xf32>, tensor<2x256x8xf32>, tensor<2x256x1x64xf32>,
        tensor<2x256x1x64xf32> -> tensor<2x256x8x64xf32>, tensor<2x8x64x64xf32>
  %y1, %s1 = interact.chunked_scan %xd, %ad, %bd, %bd init %sd chunk_size 48
      : tensor<?x?x8x64xbf16>, tensor<?x?x8x64xf32>, tensor<?x?x4x64xbf16>,
        tensor<?x?x4x64xbf16>, tensor<?x8x64x64xf32>
      -> tensor<?x?x8x64xbf16>, tensor<?x8x64x64xf32>
  return
}

//===----------------------------------------------------------------------===//
// interact.attention
//===----------------------------------------------------------------------===//

// Every kernel with every mask; the default scale is not printed.
// CHECK-LABEL: func.func @attention_kernels_and_masks
// CHECK: interact.attention identity none %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32> -> tensor<2x16x4x16xf32>
// CHECK: interact.attention identity causal %{{.*}}, %{{.*}}, %{{.*}} : tensor<2x16x4x32xf32>
// CHECK: interact.attention identity semiseparable %{{.*}}, %{{.*}}, %{{.*}} decay %{{.*}} : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32>, tensor<2x16x4xf32> -> tensor<2x16x4x16xf32>
// CHECK: interact.attention softmax none %{{.*}}, %{{.*}}, %{{.*}} scale 1.250000e-01 :
// CHECK: interact.attention softmax causal %{{.*}}, %{{.*}}, %{{.*}} scale 0.176776707 :
// CHECK: interact.attention softmax semiseparable %{{.*}}, %{{.*}}, %{{.*}} decay %{{.*}} scale 2.000000e+00 :
func.func @attention_kernels_and_masks(
    %q: tensor<2x16x4x32xf32>, %k: tensor<2x16x4x32xf32>,
    %v: tensor<2x16x4x16xf32>, %a: tensor<2x16x4xf32>) {
  %0 = interact.attention identity none %q, %k, %v
      : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32>
      -> tensor<2x16x4x16xf32>
  %1 = interact.attention identity causal %q, %k, %v scale 1.0
      : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32>
      -> tensor<2x16x4x16xf32>
  %2 = interact.attention identity semiseparable %q, %k, %v decay %a
      : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32>,
        tensor<2x16x4xf32> -> tensor<2x16x4x16xf32>
  %3 = interact.attention softmax none %q, %k, %v scale 0.125
      : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32>
      -> tensor<2x16x4x16xf32>
  %4 = interact.attention softmax causal %q, %k, %v scale 0.1767767
      : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32>
      -> tensor<2x16x4x16xf32>
  %5 = interact.attention softmax semiseparable %q, %k, %v decay %a scale 2.0
      : tensor<2x16x4x32xf32>, tensor<2x16x4x32xf32>, tensor<2x16x4x16xf32>,
        tensor<2x16x4xf32> -> tensor<2x16x4x16xf32>
  return
}

// Grouped-query heads, SSD's head layout (q = C, k = B with g groups, v = x),
// and a non-causal attention over a longer source.
// CHECK-LABEL: func.func @attention_heads_and_lengths
// CHECK: interact.attention softmax causal %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x128x8x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16> -> tensor<1x128x8x64xf16>
// CHECK: interact.attention identity semiseparable %{{.*}}, %{{.*}}, %{{.*}} decay %{{.*}} : tensor<?x?x2x16xbf16>, tensor<?x?x2x16xbf16>, tensor<?x?x8x32xbf16>, tensor<?x?x8xf32> -> tensor<?x?x8x32xbf16>
// CHECK: interact.attention softmax none %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x10x4x16xf64>, tensor<1x30x4x16xf64>, tensor<1x30x4x8xf64> -> tensor<1x10x4x8xf64>
// CHECK: interact.attention softmax causal %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x?x4x16xf32>, tensor<?x12x4x16xf32>, tensor<3x?x4x8xf32> -> tensor<?x?x4x8xf32>
func.func @attention_heads_and_lengths(
    %q: tensor<1x128x8x64xf16>, %kv: tensor<1x128x2x64xf16>,
    %c: tensor<?x?x2x16xbf16>, %x: tensor<?x?x8x32xbf16>,
    %a: tensor<?x?x8xf32>, %q64: tensor<1x10x4x16xf64>,
    %k64: tensor<1x30x4x16xf64>, %v64: tensor<1x30x4x8xf64>,
    %qd: tensor<?x?x4x16xf32>, %kd: tensor<?x12x4x16xf32>,
    %vd: tensor<3x?x4x8xf32>) {
  %0 = interact.attention softmax causal %q, %kv, %kv
      : tensor<1x128x8x64xf16>, tensor<1x128x2x64xf16>, tensor<1x128x2x64xf16>
      -> tensor<1x128x8x64xf16>
  %1 = interact.attention identity semiseparable %c, %c, %x decay %a
      : tensor<?x?x2x16xbf16>, tensor<?x?x2x16xbf16>, tensor<?x?x8x32xbf16>,
        tensor<?x?x8xf32> -> tensor<?x?x8x32xbf16>
  %2 = interact.attention softmax none %q64, %k64, %v64
      : tensor<1x10x4x16xf64>, tensor<1x30x4x16xf64>, tensor<1x30x4x8xf64>
      -> tensor<1x10x4x8xf64>
  %3 = interact.attention softmax causal %qd, %kd, %vd
      : tensor<?x?x4x16xf32>, tensor<?x12x4x16xf32>, tensor<3x?x4x8xf32>
      -> tensor<?x?x4x8xf32>
  return
}

// An empty batch or sequence is an operator (of empty results); zero heads,
// head or state sizes are not (invalid.mlir). The largest chunk size.
// CHECK-LABEL: func.func @empty_batch_and_sequence
// CHECK: interact.chunked_scan %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} chunk_size 1024 : tensor<0x0x2x8xf32>
// CHECK: interact.attention softmax causal %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x0x2x8xf32>
func.func @empty_batch_and_sequence(%x: tensor<0x0x2x8xf32>,
                                    %a: tensor<0x0x2xf32>,
                                    %b: tensor<0x0x1x16xf32>,
                                    %q: tensor<1x0x2x8xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 1024
      : tensor<0x0x2x8xf32>, tensor<0x0x2xf32>, tensor<0x0x1x16xf32>,
        tensor<0x0x1x16xf32> -> tensor<0x0x2x8xf32>, tensor<0x2x8x16xf32>
  %o = interact.attention softmax causal %q, %q, %q
      : tensor<1x0x2x8xf32>, tensor<1x0x2x8xf32>, tensor<1x0x2x8xf32>
      -> tensor<1x0x2x8xf32>
  return
}
