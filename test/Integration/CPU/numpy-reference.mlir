// Functions that numpy_reference.py runs through interact-run on inputs it
// makes, comparing the outputs with NumPy float64 implementations of
// DESIGN.md's definitions (written independently of the reference lowering)
// and, for the hand-worked case, with exact numbers.
//
// RUN: %python %S/numpy_reference.py interact-run %s %t --target=%{target} | FileCheck %s
// CHECK-NOT: FAIL
// CHECK: numpy reference: {{[1-9][0-9]*}} of {{[1-9][0-9]*}} cases agree

func.func @scan(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
                %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @scan_diagonal(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4x16xf32>,
                         %b: tensor<?x?x1x16xf32>, %c: tensor<?x?x1x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x4x8xf32>, tensor<?x?x4x16xf32>, tensor<?x?x1x16xf32>,
        tensor<?x?x1x16xf32> -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @chunked_diagonal(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4x16xf32>,
                            %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>,
                            %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 16
      : tensor<?x?x4x8xf32>, tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @chunked_f16(%x: tensor<?x?x2x8xf16>, %a: tensor<?x?x2xf32>,
                       %b: tensor<?x?x1x16xf16>, %c: tensor<?x?x1x16xf16>)
    -> (tensor<?x?x2x8xf16>, tensor<?x2x8x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c chunk_size 8
      : tensor<?x?x2x8xf16>, tensor<?x?x2xf32>, tensor<?x?x1x16xf16>,
        tensor<?x?x1x16xf16> -> tensor<?x?x2x8xf16>, tensor<?x2x8x16xf32>
  return %y, %s : tensor<?x?x2x8xf16>, tensor<?x2x8x16xf32>
}

func.func @attention_identity_semiseparable(%q: tensor<?x?x2x16xf32>,
                                            %k: tensor<?x?x2x16xf32>,
                                            %v: tensor<?x?x4x8xf32>,
                                            %a: tensor<?x?x4xf32>)
    -> tensor<?x?x4x8xf32> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %a scale 0.5
      : tensor<?x?x2x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x4x8xf32>,
        tensor<?x?x4xf32> -> tensor<?x?x4x8xf32>
  return %y : tensor<?x?x4x8xf32>
}

func.func @attention_softmax_causal(%q: tensor<?x?x4x16xf32>,
                                    %k: tensor<?x?x2x16xf32>,
                                    %v: tensor<?x?x2x8xf32>)
    -> tensor<?x?x4x8xf32> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.25
      : tensor<?x?x4x16xf32>, tensor<?x?x2x16xf32>, tensor<?x?x2x8xf32>
      -> tensor<?x?x4x8xf32>
  return %y : tensor<?x?x4x8xf32>
}

func.func @attention_softmax_none(%q: tensor<?x?x2x8xf32>,
                                  %k: tensor<?x?x2x8xf32>,
                                  %v: tensor<?x?x2x4xf32>)
    -> tensor<?x?x2x4xf32> {
  %y = interact.attention softmax none %q, %k, %v
      : tensor<?x?x2x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>
      -> tensor<?x?x2x4xf32>
  return %y : tensor<?x?x2x4xf32>
}

func.func @attention_softmax_semiseparable(%q: tensor<?x?x2x8xbf16>,
                                           %k: tensor<?x?x2x8xbf16>,
                                           %v: tensor<?x?x2x4xbf16>,
                                           %a: tensor<?x?x2xf32>)
    -> tensor<?x?x2x4xbf16> {
  %y = interact.attention softmax semiseparable %q, %k, %v decay %a scale 0.7
      : tensor<?x?x2x8xbf16>, tensor<?x?x2x8xbf16>, tensor<?x?x2x4xbf16>,
        tensor<?x?x2xf32> -> tensor<?x?x2x4xbf16>
  return %y : tensor<?x?x2x4xbf16>
}

// The hand-worked case: b = h = p = g = 1, n = 2, t = 3, zero log-decays.
func.func @exact_scan(%x: tensor<1x3x1x1xf32>, %a: tensor<1x3x1xf32>,
                      %b: tensor<1x3x1x2xf32>, %c: tensor<1x3x1x2xf32>,
                      %s0: tensor<1x1x1x2xf32>)
    -> (tensor<1x3x1x1xf32>, tensor<1x1x1x2xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c init %s0
      : tensor<1x3x1x1xf32>, tensor<1x3x1xf32>, tensor<1x3x1x2xf32>,
        tensor<1x3x1x2xf32>, tensor<1x1x1x2xf32>
      -> tensor<1x3x1x1xf32>, tensor<1x1x1x2xf32>
  return %y, %s : tensor<1x3x1x1xf32>, tensor<1x1x1x2xf32>
}

func.func @exact_chunked(%x: tensor<1x3x1x1xf32>, %a: tensor<1x3x1xf32>,
                         %b: tensor<1x3x1x2xf32>, %c: tensor<1x3x1x2xf32>,
                         %s0: tensor<1x1x1x2xf32>)
    -> (tensor<1x3x1x1xf32>, tensor<1x1x1x2xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 2
      : tensor<1x3x1x1xf32>, tensor<1x3x1xf32>, tensor<1x3x1x2xf32>,
        tensor<1x3x1x2xf32>, tensor<1x1x1x2xf32>
      -> tensor<1x3x1x1xf32>, tensor<1x1x1x2xf32>
  return %y, %s : tensor<1x3x1x1xf32>, tensor<1x1x1x2xf32>
}

func.func @exact_attention(%c: tensor<1x3x1x2xf64>, %b: tensor<1x3x1x2xf64>,
                           %x: tensor<1x3x1x1xf64>, %a: tensor<1x3x1xf64>)
    -> tensor<1x3x1x1xf64> {
  %y = interact.attention identity semiseparable %c, %b, %x decay %a
      : tensor<1x3x1x2xf64>, tensor<1x3x1x2xf64>, tensor<1x3x1x1xf64>,
        tensor<1x3x1xf64> -> tensor<1x3x1x1xf64>
  return %y : tensor<1x3x1x1xf64>
}
