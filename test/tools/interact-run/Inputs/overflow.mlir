// Results for check.test, compared by --reference-from with the namesakes
// in overflow-reference.mlir: constants stand for a realization and a
// reference that disagree in a known way.

// The largest f16 and infinities: each matches an infinity of its sign.
func.func @f16_overflow() -> tensor<5xf16> {
  %c = arith.constant dense<[65504.0, -65504.0, 0x7C00, 0xFC00, 1.0]>
      : tensor<5xf16>
  return %c : tensor<5xf16>
}

func.func @f16_wrong_sign() -> tensor<2xf16> {
  %c = arith.constant dense<[1.0, 65504.0]> : tensor<2xf16>
  return %c : tensor<2xf16>
}

// Finite and short of the largest value: not an overflow.
func.func @f16_short_of_overflow() -> tensor<2xf16> {
  %c = arith.constant dense<[1.0, 60000.0]> : tensor<2xf16>
  return %c : tensor<2xf16>
}

func.func @bf16_overflow() -> tensor<2xbf16> {
  %c = arith.constant dense<[0x7F7F, 0xFF80]> : tensor<2xbf16>
  return %c : tensor<2xbf16>
}

func.func @f32_overflow() -> tensor<2xf32> {
  %c = arith.constant dense<[0x7F800000, 0xFF7FFFFF]> : tensor<2xf32>
  return %c : tensor<2xf32>
}

func.func @nan_both() -> tensor<3xf32> {
  %c = arith.constant dense<[1.0, 0x7FC00000, 2.0]> : tensor<3xf32>
  return %c : tensor<3xf32>
}

func.func @shapes_differ() -> tensor<?xf32> {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d = tensor.cast %c : tensor<2xf32> to tensor<?xf32>
  return %d : tensor<?xf32>
}
