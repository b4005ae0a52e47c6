// Both CPU levels' cost models (docs/Targets.md) make the same clear choices.
// RUN: interact-opt %s --interact-set-target=name=x86-64-v3 --interact-select-form --split-input-file --verify-diagnostics | FileCheck %s
// RUN: interact-opt %s --interact-set-target=name=x86-64-v4 --interact-select-form --split-input-file --verify-diagnostics | FileCheck %s
// RUN: not interact-opt %s --interact-set-target=name=sm_90 --interact-select-form --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=GPU
// RUN: not interact-opt %s --interact-select-form=seq-len=0 --split-input-file -o /dev/null 2>&1 | FileCheck %s --check-prefix=HINT

// GPU: error: interact-select-form: target 'sm_90' has no calibrated cost model (run bench/calibrate.py --target sm_90 on one; docs/Targets.md)
// HINT: error: interact-select-form: the batch and seq-len hints must be positive

// One step: attention's t(t+1)/2 (n+p) FLOPs undercut the recurrence's
// 5 t n p by far, and it has no sequential steps.
// CHECK-LABEL: func.func @one_step
// CHECK: interact.attention identity semiseparable
// CHECK-NOT: interact.scan
func.func @one_step(%x: tensor<1x1x8x64xf32>, %a: tensor<1x1x8xf32>,
                    %b: tensor<1x1x1x64xf32>) -> tensor<1x1x8x64xf32> {
  // expected-remark-re @+1 {{selected attention for x86-64-v{{[34]}} at b=1 t=1: estimated recurrent {{.*}} ms (1.64e+05 FLOP, 1 steps), chunked(32) {{.*}}, attention {{.*}} ms (2.05e+03 FLOP, 0 steps)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x1x8x64xf32>, tensor<1x1x8xf32>, tensor<1x1x1x64xf32>,
        tensor<1x1x1x64xf32> -> tensor<1x1x8x64xf32>, tensor<1x8x64x64xf32>
  return %y : tensor<1x1x8x64xf32>
}

// -----

// A long sequence (the seq-len hint, 4096, for a dynamic length) takes a
// linear-time form, never attention, and a scan and a chunked scan of the
// same operator get the same one: the recurrence on x86-64-v4; on x86-64-v3
// the recurrence and chunked(32) measure within a few percent of each other
// and its row's model may take either.
// CHECK-LABEL: func.func @long_sequence
// CHECK-NOT: interact.attention
// CHECK: return
func.func @long_sequence(%x: tensor<1x?x8x64xf32>, %a: tensor<1x?x8xf32>,
                         %b: tensor<1x?x1x64xf32>) -> (tensor<1x?x8x64xf32>, tensor<1x?x8x64xf32>) {
  // expected-remark-re @+1 {{selected {{recurrent|chunked[(]32[)]}} for x86-64-v{{[34]}} at b=1 t=4096: estimated recurrent {{.*}} ms (6.71e+08 FLOP, 4096 steps)}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x?x8x64xf32>, tensor<1x?x8xf32>, tensor<1x?x1x64xf32>,
        tensor<1x?x1x64xf32> -> tensor<1x?x8x64xf32>, tensor<1x8x64x64xf32>
  // expected-remark-re @+1 {{selected {{recurrent|chunked[(]32[)]}} for x86-64-v{{[34]}} at b=1 t=4096}}
  %y2, %s2 = interact.chunked_scan %x, %a, %b, %b chunk_size 64
      : tensor<1x?x8x64xf32>, tensor<1x?x8xf32>, tensor<1x?x1x64xf32>,
        tensor<1x?x1x64xf32> -> tensor<1x?x8x64xf32>, tensor<1x8x64x64xf32>
  return %y, %y2 : tensor<1x?x8x64xf32>, tensor<1x?x8x64xf32>
}

// -----

// CHECK-LABEL: func.func @negative_softmax
// CHECK: interact.attention softmax causal
func.func @negative_softmax(%q: tensor<1x8x2x16xf32>) -> tensor<1x8x2x16xf32> {
  // expected-remark @+1 {{kept as attention: softmax attention has no finite-state recurrence: its interaction rank grows with sequence length}}
  %y = interact.attention softmax causal %q, %q, %q
      : tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>, tensor<1x8x2x16xf32>
      -> tensor<1x8x2x16xf32>
  return %y : tensor<1x8x2x16xf32>
}

// -----

// A diagonal decay has no fast chunked kernel on the CPU targets (the
// target table's fast_kernels): its chunked forms are not candidates.
// CHECK-LABEL: func.func @diagonal_decay_has_no_chunked_candidate
func.func @diagonal_decay_has_no_chunked_candidate(
    %x: tensor<1x4096x8x64xf32>, %a: tensor<1x4096x8x64xf32>,
    %b: tensor<1x4096x1x64xf32>) -> tensor<1x4096x8x64xf32> {
  // expected-remark-re @+1 {{selected recurrent for x86-64-v{{[34]}} at b=1 t=4096: estimated recurrent {{[0-9.]+ ms \(6.71e\+08 FLOP, 4096 steps\)$}}}}
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4096x8x64xf32>, tensor<1x4096x8x64xf32>,
        tensor<1x4096x1x64xf32>, tensor<1x4096x1x64xf32>
      -> tensor<1x4096x8x64xf32>, tensor<1x8x64x64xf32>
  return %y : tensor<1x4096x8x64xf32>
}

// -----

// Causal linear attention is costed as itself and as the scan it converts
// to (a scratch clone is converted and asked through the interface), and a
// long sequence takes a linear-time form.
// CHECK-LABEL: func.func @causal_linear_attention_takes_a_linear_form
// CHECK: interact.{{scan|chunked_scan}}
// CHECK-NOT: interact.attention
func.func @causal_linear_attention_takes_a_linear_form(
    %q: tensor<1x8192x8x64xf32>) -> tensor<1x8192x8x64xf32> {
  // expected-remark-re @+1 {{selected {{[a-z]+[()0-9]*}} for x86-64-v{{[34]}} at b=1 t=8192: estimated attention {{.*}} recurrent {{.*}} 8192 steps), chunked(32) {{.*}} chunked(256) {{.*}} 32 steps)}}
  %y = interact.attention identity causal %q, %q, %q
      : tensor<1x8192x8x64xf32>, tensor<1x8192x8x64xf32>,
        tensor<1x8192x8x64xf32> -> tensor<1x8192x8x64xf32>
  return %y : tensor<1x8192x8x64xf32>
}
