// ERROR: must be a positive multiple of the number of groups
// Absurd static sizes verify and cost without overflow; this one then fails on
// its groups so that the file is malformed.
func.func @f(%x: tensor<1x4611686018427387904x3x4611686018427387904xf32>,
             %a: tensor<1x4611686018427387904x3xf32>,
             %b: tensor<1x4611686018427387904x2x4611686018427387904xf32>) {
  %y, %s = interact.scan %x, %a, %b, %b
      : tensor<1x4611686018427387904x3x4611686018427387904xf32>,
        tensor<1x4611686018427387904x3xf32>,
        tensor<1x4611686018427387904x2x4611686018427387904xf32>,
        tensor<1x4611686018427387904x2x4611686018427387904xf32>
      -> tensor<1x4611686018427387904x3x4611686018427387904xf32>,
         tensor<1x3x4611686018427387904x4611686018427387904xf32>
  return
}
