// Verifiers run inside the installed mlir-opt too (see ../plugin.mlir).

func.func @zero_chunk(%x: tensor<1x4x2x8xf32>, %a: tensor<1x4x2xf32>,
                      %b: tensor<1x4x1x16xf32>) {
  // expected-error @+1 {{'interact.chunked_scan' op chunk_size must be positive, but is 0}}
  %y, %s = interact.chunked_scan %x, %a, %b, %b chunk_size 0
      : tensor<1x4x2x8xf32>, tensor<1x4x2xf32>, tensor<1x4x1x16xf32>,
        tensor<1x4x1x16xf32> -> tensor<1x4x2x8xf32>, tensor<1x2x8x16xf32>
  return
}

// -----

func.func @softmax_without_decay(%q: tensor<1x4x2x8xf32>) {
  // expected-error @+1 {{'interact.attention' op mask 'semiseparable' requires a decay operand}}
  %y = interact.attention softmax semiseparable %q, %q, %q
      : tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>, tensor<1x4x2x8xf32>
      -> tensor<1x4x2x8xf32>
  return
}
