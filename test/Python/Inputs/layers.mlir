// Functions for python/interact's tests against a library interact-compile
// made (library_test.py): dynamic batch and lengths, every float dtype, one
// and two results, an initial state, and keys whose length `s` differs from
// the queries' `t`.

func.func @scan(%x: tensor<?x?x4x8xf32>, %a: tensor<?x?x4xf32>,
                %b: tensor<?x?x2x16xf32>, %c: tensor<?x?x2x16xf32>)
    -> (tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<?x?x4x8xf32>, tensor<?x?x4xf32>, tensor<?x?x2x16xf32>,
        tensor<?x?x2x16xf32> -> tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf32>, tensor<?x4x8x16xf32>
}

func.func @chunked_f16(%x: tensor<?x?x4x8xf16>, %a: tensor<?x?x4xf32>,
                       %b: tensor<?x?x2x16xf16>, %c: tensor<?x?x2x16xf16>,
                       %s0: tensor<?x4x8x16xf32>)
    -> (tensor<?x?x4x8xf16>, tensor<?x4x8x16xf32>) {
  %y, %s = interact.chunked_scan %x, %a, %b, %c init %s0 chunk_size 16
      : tensor<?x?x4x8xf16>, tensor<?x?x4xf32>, tensor<?x?x2x16xf16>,
        tensor<?x?x2x16xf16>, tensor<?x4x8x16xf32>
      -> tensor<?x?x4x8xf16>, tensor<?x4x8x16xf32>
  return %y, %s : tensor<?x?x4x8xf16>, tensor<?x4x8x16xf32>
}

func.func @attention_bf16(%q: tensor<?x?x4x16xbf16>, %k: tensor<?x?x2x16xbf16>,
                          %v: tensor<?x?x2x8xbf16>) -> tensor<?x?x4x8xbf16> {
  %y = interact.attention softmax causal %q, %k, %v scale 0.25
      : tensor<?x?x4x16xbf16>, tensor<?x?x2x16xbf16>, tensor<?x?x2x8xbf16>
      -> tensor<?x?x4x8xbf16>
  return %y : tensor<?x?x4x8xbf16>
}

func.func @attention_f64(%q: tensor<?x?x2x8xf64>, %k: tensor<?x?x1x8xf64>,
                         %v: tensor<?x?x1x4xf64>, %a: tensor<?x?x2xf64>)
    -> tensor<?x?x2x4xf64> {
  %y = interact.attention identity semiseparable %q, %k, %v decay %a
      : tensor<?x?x2x8xf64>, tensor<?x?x1x8xf64>, tensor<?x?x1x4xf64>,
        tensor<?x?x2xf64> -> tensor<?x?x2x4xf64>
  return %y : tensor<?x?x2x4xf64>
}

func.func @cross_attention(%q: tensor<?x?x4x8xf32>, %k: tensor<?x?x2x8xf32>,
                           %v: tensor<?x?x2x4xf32>) -> tensor<?x?x4x4xf32> {
  %y = interact.attention softmax none %q, %k, %v scale 0.5
      : tensor<?x?x4x8xf32>, tensor<?x?x2x8xf32>, tensor<?x?x2x4xf32>
      -> tensor<?x?x4x4xf32>
  return %y : tensor<?x?x4x4xf32>
}
