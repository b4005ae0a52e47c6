// Functions whose results share buffers, for aliasing.test.

// One value returned twice: both results are views of one buffer.
func.func @twice(%x: tensor<1x?x2x4xf32>, %a: tensor<1x?x2xf32>,
                 %b: tensor<1x?x1x8xf32>)
    -> (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x?x2x4xf32>, tensor<1x?x2xf32>, tensor<1x?x1x8xf32>,
        tensor<1x?x1x8xf32> -> tensor<1x?x2x4xf32>, tensor<1x2x4x8xf32>
  return %y, %y : tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>
}

// Two forms of one operator on the same inputs: the float64 reference
// lowers both by the same definition, and CSE merges them into one buffer
// per result pair.
func.func @scan_and_chunked(%x: tensor<1x?x2x4xf32>, %a: tensor<1x?x2xf32>,
                            %b: tensor<1x?x1x8xf32>)
    -> (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>, tensor<1x2x4x8xf32>,
        tensor<1x2x4x8xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x?x2x4xf32>, tensor<1x?x2xf32>, tensor<1x?x1x8xf32>,
        tensor<1x?x1x8xf32> -> tensor<1x?x2x4xf32>, tensor<1x2x4x8xf32>
  %y2, %s2 = interact.chunked_scan %x, %a, %b, %b chunk_size 16
      : tensor<1x?x2x4xf32>, tensor<1x?x2xf32>, tensor<1x?x1x8xf32>,
        tensor<1x?x1x8xf32> -> tensor<1x?x2x4xf32>, tensor<1x2x4x8xf32>
  return %y, %y2, %s, %s2 : tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>,
      tensor<1x2x4x8xf32>, tensor<1x2x4x8xf32>
}

// An argument returned beside a result: the argument's buffer is the
// caller's and is never freed.
func.func @argument_and_result(%x: tensor<1x?x2x4xf32>, %a: tensor<1x?x2xf32>,
                               %b: tensor<1x?x1x8xf32>)
    -> (tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x?x2x4xf32>, tensor<1x?x2xf32>, tensor<1x?x1x8xf32>,
        tensor<1x?x1x8xf32> -> tensor<1x?x2x4xf32>, tensor<1x2x4x8xf32>
  return %x, %y, %x : tensor<1x?x2x4xf32>, tensor<1x?x2x4xf32>,
      tensor<1x?x2x4xf32>
}
