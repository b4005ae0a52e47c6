// Names a library must not take at face value: a public @free (the C
// library's), arguments named after C and C++ keywords and the glue's own
// variables, and the work in a private helper that the signature must look
// into to tie the two arguments' rows together.
func.func private @helper(%x: tensor<?x4xf32>, %y: tensor<?x4xf32>)
    -> tensor<?x4xf32> {
  %c0 = arith.constant 0 : index
  %n = tensor.dim %x, %c0 : tensor<?x4xf32>
  %e = tensor.empty(%n) : tensor<?x4xf32>
  %r = linalg.add ins(%x, %y : tensor<?x4xf32>, tensor<?x4xf32>)
      outs(%e : tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
func.func @free(%module: tensor<?x4xf32>, %class: tensor<?x4xf32>)
    -> tensor<?x4xf32> {
  %r = call @helper(%module, %class)
      : (tensor<?x4xf32>, tensor<?x4xf32>) -> tensor<?x4xf32>
  return %r : tensor<?x4xf32>
}
