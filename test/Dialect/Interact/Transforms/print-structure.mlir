// RUN: interact-opt %s --interact-print-structure --split-input-file --verify-diagnostics | FileCheck %s
// RUN: interact-opt %s --pass-pipeline="builtin.module(interact-print-structure{batch=2 seq-len=10})" --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=HINTS
// RUN: not interact-opt %s --pass-pipeline="builtin.module(interact-print-structure{seq-len=0})" --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=BADHINT

// The pass only reports; the IR is unchanged.
// CHECK-LABEL: func.func @scalar_scan
// CHECK: interact.scan
// BADHINT: error: interact-print-structure: the batch and seq-len hints must be positive

// Scan: 5 * b * h * t * p * n = 5 * 2 * 8 * 16 * 64 * 32 FLOP; bytes are
// 4 * (x + a + B + C + y + final) = 4 * (16384 + 256 + 1024 + 1024 + 16384 + 32768).
func.func @scalar_scan(%x: tensor<2x16x8x64xf32>, %a: tensor<2x16x8xf32>,
                       %b: tensor<2x16x1x32xf32>) -> tensor<2x16x8x64xf32> {
  // expected-remark @+1 {{recurrent form, causal, scalar decay, state of 16384 elements; at b=2 t=16 s=16 H=8 h_q=1 h_k=1 h_v=8 p=64 n=32: 2.62e+06 FLOP, 2.71e+05 bytes (9.66 FLOP/byte)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<2x16x8x64xf32>, tensor<2x16x8xf32>, tensor<2x16x1x32xf32>,
        tensor<2x16x1x32xf32> -> tensor<2x16x8x64xf32>, tensor<2x8x64x32xf32>
  return %y : tensor<2x16x8x64xf32>
}

// -----

// Dynamic sizes take the hints: b = 1, t = 4096 by default.
// HINTS: remark: chunked form, causal, diagonal decay, state of 64 elements; at b=2 t=10 s=10 H=2 h_q=1 h_k=1 h_v=2 p=2 n=16:
func.func @dynamic_diagonal_chunked(%x: tensor<?x?x2x2xf16>,
                                    %a: tensor<?x?x2x16xf32>,
                                    %b: tensor<?x?x1x16xf16>) {
  // expected-remark @+1 {{chunked form, causal, diagonal decay, state of 64 elements; at b=1 t=4096 s=4096 H=2 h_q=1 h_k=1 h_v=2 p=2 n=16:}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 64
      : tensor<?x?x2x2xf16>, tensor<?x?x2x16xf32>, tensor<?x?x1x16xf16>,
        tensor<?x?x1x16xf16> -> tensor<?x?x2x2xf16>, tensor<?x2x2x16xf32>
  return
}

// -----

// Softmax attention has no finite-state recurrence; identity attention with a
// mask is a scan in disguise; without a mask it is not causal.
func.func @attention(%q: tensor<1x8x4x16xf32>, %v: tensor<1x8x4x8xf32>,
                     %a: tensor<1x8x4xf32>) {
  // expected-remark @+1 {{attention form, causal, none decay, no finite-state recurrence; at b=1 t=8 s=8 H=4 h_q=4 h_k=4 h_v=4 p=8 n=16: 6.91e+03 FLOP}}
  %0 = interact.attention softmax causal %q, %q, %v scale 0.25
      : tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x8xf32>
      -> tensor<1x8x4x8xf32>
  // expected-remark @+1 {{attention form, causal, scalar decay, state of 512 elements}}
  %1 = interact.attention identity semiseparable %q, %q, %v decay %a
      : tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x8xf32>,
        tensor<1x8x4xf32> -> tensor<1x8x4x8xf32>
  // expected-remark @+1 {{attention form, non-causal, none decay, no finite-state recurrence; at b=1 t=8 s=8 H=4 h_q=4 h_k=4 h_v=4 p=8 n=16: 1.23e+04 FLOP}}
  %2 = interact.attention identity none %q, %q, %v
      : tensor<1x8x4x16xf32>, tensor<1x8x4x16xf32>, tensor<1x8x4x8xf32>
      -> tensor<1x8x4x8xf32>
  return
}

// -----

// Ops that are not interaction operators are not reported.
// CHECK-LABEL: func.func @negative_no_interact_ops
func.func @negative_no_interact_ops(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// The structure analysis: decay classes proven from dt x constant A, the
// semiseparable rank, and the rewrites that apply.
#bth = affine_map<(b, t, h, n) -> (b, t, h)>
#hn = affine_map<(b, t, h, n) -> (h, n)>
#id = affine_map<(b, t, h, n) -> (b, t, h, n)>
func.func @decay_classes(%x: tensor<1x8x2x4xf32>, %dt: tensor<1x8x2xf32>,
                         %b: tensor<1x8x1x4xf32>, %opaque: tensor<1x8x2x4xf32>,
                         %s: tensor<1x8x2xf32>) {
  %A = arith.constant dense<[[-1.0, -2.0, -1.0, -2.0], [-0.5, -3.0, -0.5, -3.0]]> : tensor<2x4xf32>
  %e = tensor.empty() : tensor<1x8x2x4xf32>
  %a = linalg.generic {indexing_maps = [#bth, #hn, #id],
                       iterator_types = ["parallel", "parallel", "parallel", "parallel"]}
      ins(%dt, %A : tensor<1x8x2xf32>, tensor<2x4xf32>) outs(%e : tensor<1x8x2x4xf32>) {
  ^bb0(%d: f32, %av: f32, %o: f32):
    %r = arith.mulf %d, %av : f32
    linalg.yield %r : f32
  } -> tensor<1x8x2x4xf32>
  // expected-remark @+1 {{decay classes G = 2 (dt x constant A): {0,2} {1,3}, distinct decays per head [2, 2]; semiseparable rank 4; legal rewrites: interact-split-decay-classes, interact-to-chunked}}
  %y0, %s0 = interact.scan %x, %a, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x1x4xf32>,
        tensor<1x8x1x4xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x4xf32>
  // expected-remark @+1 {{decay classes G = 4 (opaque decay: every column its own class); semiseparable rank 4; legal rewrites: interact-to-chunked}}
  %y1, %s1 = interact.scan %x, %opaque, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x1x4xf32>,
        tensor<1x8x1x4xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x4xf32>
  // expected-remark @+1 {{decay classes G = 1 (scalar decay); semiseparable rank 4; legal rewrites: interact-scan-to-attention, interact-to-chunked}}
  %y2, %s2 = interact.scan %x, %s, %b, %b
      : tensor<1x8x2x4xf32>, tensor<1x8x2xf32>, tensor<1x8x1x4xf32>,
        tensor<1x8x1x4xf32> -> tensor<1x8x2x4xf32>, tensor<1x2x4x4xf32>
  // expected-remark @+1 {{decay classes G = 1 (no decay); semiseparable rank unbounded; legal rewrites: none}}
  %y3 = interact.attention softmax causal %x, %x, %x
      : tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>
      -> tensor<1x8x2x4xf32>
  // expected-remark @+1 {{decay classes G = 1 (no decay); semiseparable rank 4; legal rewrites: interact-attention-to-scan, interact-to-chunked}}
  %y4 = interact.attention identity causal %x, %x, %x
      : tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>, tensor<1x8x2x4xf32>
      -> tensor<1x8x2x4xf32>
  return
}
