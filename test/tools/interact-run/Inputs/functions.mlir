// Functions the interact-run error tests call.

func.func @scan(%x: tensor<?x?x2x4xf32>, %a: tensor<?x?x2xf32>,
                %b: tensor<?x?x1x8xf32>) -> (tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<?x?x2x4xf32>, tensor<?x?x2xf32>, tensor<?x?x1x8xf32>,
        tensor<?x?x1x8xf32> -> tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
  return %y, %s : tensor<?x?x2x4xf32>, tensor<?x2x4x8xf32>
}

func.func @static_scan(%x: tensor<1x3x2x4xf32>, %a: tensor<1x3x2xf32>,
                       %b: tensor<1x3x1x8xf32>) -> tensor<1x3x2x4xf32> {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x3x2x4xf32>, tensor<1x3x2xf32>, tensor<1x3x1x8xf32>,
        tensor<1x3x1x8xf32> -> tensor<1x3x2x4xf32>, tensor<1x2x4x8xf32>
  return %y : tensor<1x3x2x4xf32>
}

// Parses and verifies, but has no lowering to the CPU.
func.func @no_lowering(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %e = tensor.empty() : tensor<4x8xf32>
  %0 = linalg.softmax dimension(1) ins(%x : tensor<4x8xf32>)
      outs(%e : tensor<4x8xf32>) -> tensor<4x8xf32>
  return %0 : tensor<4x8xf32>
}

func.func @index_argument(%i: index) -> index {
  return %i : index
}

func.func @scan_f16(%x: tensor<1x?x1x2xf16>, %a: tensor<1x?x1xf32>,
                    %b: tensor<1x?x1x4xf16>) -> tensor<1x?x1x2xf16> {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x?x1x2xf16>, tensor<1x?x1xf32>, tensor<1x?x1x4xf16>,
        tensor<1x?x1x4xf16> -> tensor<1x?x1x2xf16>, tensor<1x1x2x4xf32>
  return %y : tensor<1x?x1x2xf16>
}
