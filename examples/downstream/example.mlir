// A Mamba-2 mixer's recurrence and its output gate: interact's scan (one
// scalar decay per head, one group of B and C) beside the downstream
// dialect's gate. `downstream-opt example.mlir --interact-scan-to-attention`
// rewrites the scan as semiseparable attention and leaves the gate as it is.
func.func @gated_ssd(%x: tensor<1x64x8x32xf32>, %a: tensor<1x64x8xf32>,
                     %b: tensor<1x64x1x16xf32>, %c: tensor<1x64x1x16xf32>,
                     %z: tensor<1x64x8x32xf32>) -> tensor<1x64x8x32xf32> {
  %y, %s = interact.scan %x, %a, %b, %c
      : tensor<1x64x8x32xf32>, tensor<1x64x8xf32>, tensor<1x64x1x16xf32>,
        tensor<1x64x1x16xf32> -> tensor<1x64x8x32xf32>, tensor<1x8x32x16xf32>
  %o = downstream.gate %y, %z : tensor<1x64x8x32xf32>
  return %o : tensor<1x64x8x32xf32>
}
