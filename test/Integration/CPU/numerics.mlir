// Functions that numerics_suite.py runs through interact-run (and through
// the rewrites of interact-opt) on inputs it makes, comparing the outputs with
// NumPy float64 references that form every decay weight as a direct segment
// sum exp(a_{j+1} + ... + a_i) (and, for the scans, with a float64
// recurrence): DESIGN.md's numerics rules on -inf resets, huge decays, decays
// near 0, garbage in masked positions, empty softmax rows and a_0 > 0.
//
// The driver runs from numerics.test; this file only checks that the
// functions parse and verify.
// RUN: interact-opt %s | FileCheck %s
// CHECK-COUNT-29: func.func @
// CHECK-NOT: func.func @

// b = h = p = n = 1: the cases worked by hand.

func.func @scan1(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x1x1xf32>, tensor<?x?x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @scan1_diag(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @chunked1_q2(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 2
      : tensor<?x?x1x1xf32>, tensor<?x?x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @chunked1_diag_q2(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 2
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @chunked1_q4(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 4
      : tensor<?x?x1x1xf32>, tensor<?x?x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @chunked1_diag_q4(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 4
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @chunked1_q8(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 8
      : tensor<?x?x1x1xf32>, tensor<?x?x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @chunked1_diag_q8(%x: tensor<?x?x1x1xf32>, %a: tensor<?x?x1x1xf32>,
    %b: tensor<?x?x1x1xf32>, %c: tensor<?x?x1x1xf32>)
    -> (tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 8
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
  return %y, %s : tensor<?x?x1x1xf32>, tensor<?x1x1x1xf32>
}

func.func @attn1_identity_semi(%q: tensor<?x?x1x1xf32>, %k: tensor<?x?x1x1xf32>,
    %v: tensor<?x?x1x1xf32>, %a: tensor<?x?x1xf32>)
    -> tensor<?x?x1x1xf32> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %a
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1xf32>
      -> tensor<?x?x1x1xf32>
  return %y : tensor<?x?x1x1xf32>
}

func.func @attn1_softmax_semi(%q: tensor<?x?x1x1xf32>, %k: tensor<?x?x1x1xf32>,
    %v: tensor<?x?x1x1xf32>, %a: tensor<?x?x1xf32>)
    -> tensor<?x?x1x1xf32> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>,
        tensor<?x?x1xf32>
      -> tensor<?x?x1x1xf32>
  return %y : tensor<?x?x1x1xf32>
}

func.func @attn1_identity_causal(%q: tensor<?x?x1x1xf32>,
    %k: tensor<?x?x1x1xf32>, %v: tensor<?x?x1x1xf32>)
    -> tensor<?x?x1x1xf32> {
  %y = interact.attention identity causal %q, %k, %v
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>
  return %y : tensor<?x?x1x1xf32>
}

func.func @attn1_softmax_causal(%q: tensor<?x?x1x1xf32>,
    %k: tensor<?x?x1x1xf32>, %v: tensor<?x?x1x1xf32>)
    -> tensor<?x?x1x1xf32> {
  %y = interact.attention softmax causal %q, %k, %v
      : tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>, tensor<?x?x1x1xf32>
      -> tensor<?x?x1x1xf32>
  return %y : tensor<?x?x1x1xf32>
}

// h = 4, p = n = 16, 2 groups, an initial state: the random cases.

func.func @scan_m(%x: tensor<?x?x4x16xf32>, %a: tensor<?x?x4xf32>,
    %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
    %s0: tensor<?x4x16x16xf32>)
    -> (tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x16x16xf32>
      -> tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
  return %y, %s : tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
}

func.func @scan_m_diag(%x: tensor<?x?x4x16xf32>, %a: tensor<?x?x4x16xf32>,
    %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
    %s0: tensor<?x4x16x16xf32>)
    -> (tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x4x16xf32>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x16x16xf32>
      -> tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
  return %y, %s : tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
}

func.func @chunked_m_q16(%x: tensor<?x?x4x16xf32>, %a: tensor<?x?x4xf32>,
    %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
    %s0: tensor<?x4x16x16xf32>)
    -> (tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 16
      : tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x16x16xf32>
      -> tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
  return %y, %s : tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
}

func.func @chunked_m_q24(%x: tensor<?x?x4x16xf32>, %a: tensor<?x?x4xf32>,
    %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
    %s0: tensor<?x4x16x16xf32>)
    -> (tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 24
      : tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x16x16xf32>
      -> tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
  return %y, %s : tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
}

func.func @chunked_m_q32(%x: tensor<?x?x4x16xf32>, %a: tensor<?x?x4xf32>,
    %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
    %s0: tensor<?x4x16x16xf32>)
    -> (tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 32
      : tensor<?x?x4x16xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x16x16xf32>
      -> tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
  return %y, %s : tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
}

func.func @chunked_m_diag_q24(%x: tensor<?x?x4x16xf32>,
    %a: tensor<?x?x4x16xf32>, %b: tensor<?x?x2x16xf32>,
    %c: tensor<?x?x2x16xf32>, %s0: tensor<?x4x16x16xf32>)
    -> (tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 24
      : tensor<?x?x4x16xf32>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x16x16xf32>
      -> tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
  return %y, %s : tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
}

func.func @chunked_m_diag_q32(%x: tensor<?x?x4x16xf32>,
    %a: tensor<?x?x4x16xf32>, %b: tensor<?x?x2x16xf32>,
    %c: tensor<?x?x2x16xf32>, %s0: tensor<?x4x16x16xf32>)
    -> (tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 32
      : tensor<?x?x4x16xf32>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x16x16xf32>
      -> tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
  return %y, %s : tensor<?x?x4x16xf32>, tensor<?x4x16x16xf32>
}

// SSD's layout: q = C and k = B with 2 groups, v = x with 4 heads.

func.func @attn_m_identity_semi(%q: tensor<?x?x2x16xf32>,
    %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x4x16xf32>, %a: tensor<?x?x4xf32>)
    -> tensor<?x?x4x16xf32> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %a
      : tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x4x16xf32>,
        tensor<?x?x4xf32>
      -> tensor<?x?x4x16xf32>
  return %y : tensor<?x?x4x16xf32>
}

func.func @attn_m_identity_causal(%q: tensor<?x?x2x16xf32>,
    %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x4x16xf32>)
    -> tensor<?x?x4x16xf32> {
  %y = interact.attention identity causal %q, %k, %v scale 0.5
      : tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x4x16xf32>
      -> tensor<?x?x4x16xf32>
  return %y : tensor<?x?x4x16xf32>
}

func.func @attn_m_identity_none(%q: tensor<?x?x2x16xf32>,
    %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x4x16xf32>)
    -> tensor<?x?x4x16xf32> {
  %y = interact.attention identity none %q, %k, %v scale 0.5
      : tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x4x16xf32>
      -> tensor<?x?x4x16xf32>
  return %y : tensor<?x?x4x16xf32>
}

// Grouped-query softmax attention: q with 4 heads, k and v with 2.

func.func @attn_m_softmax_semi(%q: tensor<?x?x4x16xf32>,
    %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x2x16xf32>, %a: tensor<?x?x4xf32>)
    -> tensor<?x?x4x16xf32> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a scale 0.25
      : tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x4xf32>
      -> tensor<?x?x4x16xf32>
  return %y : tensor<?x?x4x16xf32>
}

func.func @attn_m_softmax_causal(%q: tensor<?x?x4x16xf32>,
    %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x2x16xf32>)
    -> tensor<?x?x4x16xf32> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.25
      : tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>
      -> tensor<?x?x4x16xf32>
  return %y : tensor<?x?x4x16xf32>
}

func.func @attn_m_softmax_none(%q: tensor<?x?x4x16xf32>,
    %k: tensor<?x?x2x16xf32>, %v: tensor<?x?x2x16xf32>)
    -> tensor<?x?x4x16xf32> {
  %y = interact.attention softmax none %q, %k, %v scale 0.25
      : tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>
      -> tensor<?x?x4x16xf32>
  return %y : tensor<?x?x4x16xf32>
}

// Long sequences with decays near 0: p = n = 32, one head.

func.func @scan_long(%x: tensor<?x?x1x32xf32>, %a: tensor<?x?x1xf32>,
    %b: tensor<?x?x1x32xf32>, %c: tensor<?x?x1x32xf32>)
    -> (tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x1x32xf32>, tensor<?x?x1xf32>, tensor<?x?x1x32xf32>,
        tensor<?x?x1x32xf32>
      -> tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
  return %y, %s : tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
}

func.func @chunked_long_q64(%x: tensor<?x?x1x32xf32>, %a: tensor<?x?x1xf32>,
    %b: tensor<?x?x1x32xf32>, %c: tensor<?x?x1x32xf32>)
    -> (tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 64
      : tensor<?x?x1x32xf32>, tensor<?x?x1xf32>, tensor<?x?x1x32xf32>,
        tensor<?x?x1x32xf32>
      -> tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
  return %y, %s : tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
}

func.func @scan_long_diag(%x: tensor<?x?x1x32xf32>, %a: tensor<?x?x1x32xf32>,
    %b: tensor<?x?x1x32xf32>, %c: tensor<?x?x1x32xf32>)
    -> (tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>,
        tensor<?x?x1x32xf32>
      -> tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
  return %y, %s : tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
}

func.func @chunked_long_diag_q64(%x: tensor<?x?x1x32xf32>,
    %a: tensor<?x?x1x32xf32>, %b: tensor<?x?x1x32xf32>,
    %c: tensor<?x?x1x32xf32>)
    -> (tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 64
      : tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>, tensor<?x?x1x32xf32>,
        tensor<?x?x1x32xf32>
      -> tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
  return %y, %s : tensor<?x?x1x32xf32>, tensor<?x1x32x32xf32>
}
