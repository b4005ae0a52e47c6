// A kernel that must spill: 512 live f32 accumulators per thread (a
// vector<512xf32> loop carry) need more than ptxas's 255 registers, and
// interact-gpu-pipeline's default ptxas options make a spill an error.
module attributes {gpu.container_module} {
  gpu.module @sp {
    gpu.func @k(%x: memref<?x512xf32>, %y: memref<512xf32>, %n: index) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : index
      %z = arith.constant dense<0.0> : vector<512xf32>
      %acc = scf.for %i = %c0 to %n step %c1 iter_args(%a = %z) -> vector<512xf32> {
        %v = vector.load %x[%i, %c0] : memref<?x512xf32>, vector<512xf32>
        %m = arith.mulf %v, %a : vector<512xf32>
        %s = arith.addf %m, %v : vector<512xf32>
        scf.yield %s : vector<512xf32>
      }
      vector.store %acc, %y[%c0] : memref<512xf32>, vector<512xf32>
      gpu.return
    }
  }
}
