// The functions bench/gpu_check.py runs on a GPU library (interact-compile
// --target=sm_90 or sm_80) and, for its self-check, on a CPU library
// compiled from this same file (--target=x86-64-v3): scans with scalar and
// diagonal decays, grouped B and C (g < h), initial states, f32, f16 and
// bf16 (f16/bf16 inputs with f32 decays and states), odd head sizes; masked
// attention with softmax and identity kernels under none, causal and
// semiseparable masks, grouped-query heads (h_q = 8, h_k = 2), every float
// dtype, odd head sizes; and the two benchmark shapes (bench_*). Batch and
// sequence lengths are dynamic: gpu_check.py calls each function at several
// (b, t). Arguments and results keep their SSA names (x, a, B, C, s0 -> y,
// state; q, k, v, decay -> y).

//===----------------------------------------------------------------------===//
// Scans
//===----------------------------------------------------------------------===//

// f32, scalar decay, 8 heads over 2 groups, initial state.
func.func @scan_f32(%x: tensor<?x?x8x64xf32>, %a: tensor<?x?x8xf32>,
                    %B: tensor<?x?x2x16xf32>, %C: tensor<?x?x2x16xf32>,
                    %s0: tensor<?x8x64x16xf32>)
    -> (tensor<?x?x8x64xf32>, tensor<?x8x64x16xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C init %s0
      : tensor<?x?x8x64xf32>, tensor<?x?x8xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x8x64x16xf32>
      -> tensor<?x?x8x64xf32>, tensor<?x8x64x16xf32>
  return %y, %state : tensor<?x?x8x64xf32>, tensor<?x8x64x16xf32>
}

// f32, diagonal decay, one group, no initial state.
func.func @scan_f32_diagonal(%x: tensor<?x?x4x32xf32>, %a: tensor<?x?x4x16xf32>,
                             %B: tensor<?x?x1x16xf32>, %C: tensor<?x?x1x16xf32>)
    -> (tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C
      : tensor<?x?x4x32xf32>, tensor<?x?x4x16xf32>, tensor<?x?x1x16xf32>,
        tensor<?x?x1x16xf32> -> tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>
  return %y, %state : tensor<?x?x4x32xf32>, tensor<?x4x32x16xf32>
}

// f32, odd sizes: 3 heads of 7 over one group, state size 5, initial state.
func.func @scan_f32_odd(%x: tensor<?x?x3x7xf32>, %a: tensor<?x?x3xf32>,
                        %B: tensor<?x?x1x5xf32>, %C: tensor<?x?x1x5xf32>,
                        %s0: tensor<?x3x7x5xf32>)
    -> (tensor<?x?x3x7xf32>, tensor<?x3x7x5xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C init %s0
      : tensor<?x?x3x7xf32>, tensor<?x?x3xf32>, tensor<?x?x1x5xf32>,
        tensor<?x?x1x5xf32>, tensor<?x3x7x5xf32>
      -> tensor<?x?x3x7xf32>, tensor<?x3x7x5xf32>
  return %y, %state : tensor<?x?x3x7xf32>, tensor<?x3x7x5xf32>
}

// f16 inputs, f32 decays and states, 4 heads over 2 groups.
func.func @scan_f16(%x: tensor<?x?x4x32xf16>, %a: tensor<?x?x4xf32>,
                    %B: tensor<?x?x2x32xf16>, %C: tensor<?x?x2x32xf16>,
                    %s0: tensor<?x4x32x32xf32>)
    -> (tensor<?x?x4x32xf16>, tensor<?x4x32x32xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C init %s0
      : tensor<?x?x4x32xf16>, tensor<?x?x4xf32>, tensor<?x?x2x32xf16>,
        tensor<?x?x2x32xf16>, tensor<?x4x32x32xf32>
      -> tensor<?x?x4x32xf16>, tensor<?x4x32x32xf32>
  return %y, %state : tensor<?x?x4x32xf16>, tensor<?x4x32x32xf32>
}

// bf16 inputs, f32 decays and states, 8 heads of 64, one group of 32.
func.func @scan_bf16(%x: tensor<?x?x8x64xbf16>, %a: tensor<?x?x8xf32>,
                     %B: tensor<?x?x1x32xbf16>, %C: tensor<?x?x1x32xbf16>,
                     %s0: tensor<?x8x64x32xf32>)
    -> (tensor<?x?x8x64xbf16>, tensor<?x8x64x32xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C init %s0
      : tensor<?x?x8x64xbf16>, tensor<?x?x8xf32>, tensor<?x?x1x32xbf16>,
        tensor<?x?x1x32xbf16>, tensor<?x8x64x32xf32>
      -> tensor<?x?x8x64xbf16>, tensor<?x8x64x32xf32>
  return %y, %state : tensor<?x?x8x64xbf16>, tensor<?x8x64x32xf32>
}

// bf16 inputs, f32 diagonal decays, 4 heads over 2 groups, odd head size.
func.func @scan_bf16_diagonal(%x: tensor<?x?x4x24xbf16>,
                              %a: tensor<?x?x4x16xf32>,
                              %B: tensor<?x?x2x16xbf16>,
                              %C: tensor<?x?x2x16xbf16>)
    -> (tensor<?x?x4x24xbf16>, tensor<?x4x24x16xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C
      : tensor<?x?x4x24xbf16>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xbf16>,
        tensor<?x?x2x16xbf16> -> tensor<?x?x4x24xbf16>, tensor<?x4x24x16xf32>
  return %y, %state : tensor<?x?x4x24xbf16>, tensor<?x4x24x16xf32>
}

//===----------------------------------------------------------------------===//
// Attention
//===----------------------------------------------------------------------===//

// f32 softmax, no mask, GQA (8 query heads over 2 key/value heads), keys of
// a length s of their own.
func.func @attn_softmax_none_f32(%q: tensor<?x?x8x64xf32>,
                                 %k: tensor<?x?x2x64xf32>,
                                 %v: tensor<?x?x2x64xf32>)
    -> tensor<?x?x8x64xf32> {
  %y = interact.attention softmax none %q, %k, %v scale 0.125
      : tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>
      -> tensor<?x?x8x64xf32>
  return %y : tensor<?x?x8x64xf32>
}

// f32 softmax, causal, GQA.
func.func @attn_softmax_causal_f32(%q: tensor<?x?x8x64xf32>,
                                   %k: tensor<?x?x2x64xf32>,
                                   %v: tensor<?x?x2x64xf32>)
    -> tensor<?x?x8x64xf32> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.125
      : tensor<?x?x8x64xf32>, tensor<?x?x2x64xf32>, tensor<?x?x2x64xf32>
      -> tensor<?x?x8x64xf32>
  return %y : tensor<?x?x8x64xf32>
}

// f16 softmax, causal, GQA, head size 32.
func.func @attn_softmax_causal_f16(%q: tensor<?x?x8x32xf16>,
                                   %k: tensor<?x?x2x32xf16>,
                                   %v: tensor<?x?x2x32xf16>)
    -> tensor<?x?x8x32xf16> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.176776695
      : tensor<?x?x8x32xf16>, tensor<?x?x2x32xf16>, tensor<?x?x2x32xf16>
      -> tensor<?x?x8x32xf16>
  return %y : tensor<?x?x8x32xf16>
}

// bf16 softmax, causal, GQA.
func.func @attn_softmax_causal_bf16(%q: tensor<?x?x8x64xbf16>,
                                    %k: tensor<?x?x2x64xbf16>,
                                    %v: tensor<?x?x2x64xbf16>)
    -> tensor<?x?x8x64xbf16> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.125
      : tensor<?x?x8x64xbf16>, tensor<?x?x2x64xbf16>, tensor<?x?x2x64xbf16>
      -> tensor<?x?x8x64xbf16>
  return %y : tensor<?x?x8x64xbf16>
}

// bf16 softmax, no mask, keys of their own length.
func.func @attn_softmax_none_bf16(%q: tensor<?x?x4x64xbf16>,
                                  %k: tensor<?x?x4x64xbf16>,
                                  %v: tensor<?x?x4x64xbf16>)
    -> tensor<?x?x4x64xbf16> {
  %y = interact.attention softmax none %q, %k, %v scale 0.125
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>
      -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}

// f32 softmax, causal, odd sizes: 3 heads, n = 24, p = 20.
func.func @attn_softmax_causal_odd(%q: tensor<?x?x3x24xf32>,
                                   %k: tensor<?x?x3x24xf32>,
                                   %v: tensor<?x?x3x20xf32>)
    -> tensor<?x?x3x20xf32> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.2
      : tensor<?x?x3x24xf32>, tensor<?x?x3x24xf32>, tensor<?x?x3x20xf32>
      -> tensor<?x?x3x20xf32>
  return %y : tensor<?x?x3x20xf32>
}

// f32 softmax, semiseparable mask (decays per query head), GQA.
func.func @attn_softmax_semiseparable_f32(%q: tensor<?x?x8x32xf32>,
                                          %k: tensor<?x?x2x32xf32>,
                                          %v: tensor<?x?x2x32xf32>,
                                          %decay: tensor<?x?x8xf32>)
    -> tensor<?x?x8x32xf32> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %decay
      scale 0.176776695
      : tensor<?x?x8x32xf32>, tensor<?x?x2x32xf32>, tensor<?x?x2x32xf32>,
        tensor<?x?x8xf32> -> tensor<?x?x8x32xf32>
  return %y : tensor<?x?x8x32xf32>
}

// bf16 softmax, semiseparable mask with f32 decays.
func.func @attn_softmax_semiseparable_bf16(%q: tensor<?x?x4x64xbf16>,
                                           %k: tensor<?x?x4x64xbf16>,
                                           %v: tensor<?x?x4x64xbf16>,
                                           %decay: tensor<?x?x4xf32>)
    -> tensor<?x?x4x64xbf16> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %decay
      scale 0.125
      : tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>, tensor<?x?x4x64xbf16>,
        tensor<?x?x4xf32> -> tensor<?x?x4x64xbf16>
  return %y : tensor<?x?x4x64xbf16>
}

// f32 identity kernel, no mask (linear attention), GQA.
func.func @attn_identity_none_f32(%q: tensor<?x?x8x32xf32>,
                                  %k: tensor<?x?x2x32xf32>,
                                  %v: tensor<?x?x2x32xf32>)
    -> tensor<?x?x8x32xf32> {
  %y = interact.attention identity none %q, %k, %v scale 0.176776695
      : tensor<?x?x8x32xf32>, tensor<?x?x2x32xf32>, tensor<?x?x2x32xf32>
      -> tensor<?x?x8x32xf32>
  return %y : tensor<?x?x8x32xf32>
}

// f16 identity kernel, causal, GQA.
func.func @attn_identity_causal_f16(%q: tensor<?x?x8x32xf16>,
                                    %k: tensor<?x?x2x32xf16>,
                                    %v: tensor<?x?x2x32xf16>)
    -> tensor<?x?x8x32xf16> {
  %y = interact.attention identity causal %q, %k, %v scale 0.176776695
      : tensor<?x?x8x32xf16>, tensor<?x?x2x32xf16>, tensor<?x?x2x32xf16>
      -> tensor<?x?x8x32xf16>
  return %y : tensor<?x?x8x32xf16>
}

// f32 identity kernel, semiseparable mask: SSD's attention form (q = C and
// k = B shared by all heads, v = x per head), odd value size.
func.func @attn_identity_semiseparable_f32(%q: tensor<?x?x1x16xf32>,
                                           %k: tensor<?x?x1x16xf32>,
                                           %v: tensor<?x?x8x24xf32>,
                                           %decay: tensor<?x?x8xf32>)
    -> tensor<?x?x8x24xf32> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %decay
      : tensor<?x?x1x16xf32>, tensor<?x?x1x16xf32>, tensor<?x?x8x24xf32>,
        tensor<?x?x8xf32> -> tensor<?x?x8x24xf32>
  return %y : tensor<?x?x8x24xf32>
}

// bf16 identity kernel, semiseparable mask with f32 decays, GQA.
func.func @attn_identity_semiseparable_bf16(%q: tensor<?x?x8x32xbf16>,
                                            %k: tensor<?x?x2x32xbf16>,
                                            %v: tensor<?x?x2x32xbf16>,
                                            %decay: tensor<?x?x8xf32>)
    -> tensor<?x?x8x32xbf16> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %decay
      scale 0.176776695
      : tensor<?x?x8x32xbf16>, tensor<?x?x2x32xbf16>, tensor<?x?x2x32xbf16>,
        tensor<?x?x8xf32> -> tensor<?x?x8x32xbf16>
  return %y : tensor<?x?x8x32xbf16>
}

//===----------------------------------------------------------------------===//
// Benchmark shapes (also checked at small sizes)
//===----------------------------------------------------------------------===//

// The Mamba-2 scan: 32 heads of 64, one group, state size 128, bf16 inputs,
// f32 decays and state (benchmarked at b = 4, t = 4096).
func.func @bench_mamba2_scan(%x: tensor<?x?x32x64xbf16>, %a: tensor<?x?x32xf32>,
                             %B: tensor<?x?x1x128xbf16>,
                             %C: tensor<?x?x1x128xbf16>)
    -> (tensor<?x?x32x64xbf16>, tensor<?x32x64x128xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C
      : tensor<?x?x32x64xbf16>, tensor<?x?x32xf32>, tensor<?x?x1x128xbf16>,
        tensor<?x?x1x128xbf16>
      -> tensor<?x?x32x64xbf16>, tensor<?x32x64x128xf32>
  return %y, %state : tensor<?x?x32x64xbf16>, tensor<?x32x64x128xf32>
}

// Causal softmax attention, 32 heads of 64, bf16 (benchmarked at b = 4,
// t = 4096).
func.func @bench_causal_attention(%q: tensor<?x?x32x64xbf16>,
                                  %k: tensor<?x?x32x64xbf16>,
                                  %v: tensor<?x?x32x64xbf16>)
    -> tensor<?x?x32x64xbf16> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.125
      : tensor<?x?x32x64xbf16>, tensor<?x?x32x64xbf16>, tensor<?x?x32x64xbf16>
      -> tensor<?x?x32x64xbf16>
  return %y : tensor<?x?x32x64xbf16>
}
