// One SSD layer (Mamba-2's scan) with a dynamic batch and sequence length:
// 8 heads of size 64 sharing one group of B and C with state size 64, scalar
// decays. interact-compile turns it into a library whose `ssd_layer` takes
// x [b, t, 8, 64], a [b, t, 8], B and C [b, t, 1, 64] for any b and t, and
// returns y [b, t, 8, 64] and the final state [b, 8, 64, 64]
// (examples/c/ssd_layer.c calls it).

func.func @ssd_layer(%x: tensor<?x?x8x64xf32>, %a: tensor<?x?x8xf32>,
                     %B: tensor<?x?x1x64xf32>, %C: tensor<?x?x1x64xf32>)
    -> (tensor<?x?x8x64xf32>, tensor<?x8x64x64xf32>) {
  %y, %state = interact.scan %x, %a, %B, %C
      : tensor<?x?x8x64xf32>, tensor<?x?x8xf32>, tensor<?x?x1x64xf32>,
        tensor<?x?x1x64xf32> -> tensor<?x?x8x64xf32>, tensor<?x8x64x64xf32>
  return %y, %state : tensor<?x?x8x64xf32>, tensor<?x8x64x64xf32>
}
