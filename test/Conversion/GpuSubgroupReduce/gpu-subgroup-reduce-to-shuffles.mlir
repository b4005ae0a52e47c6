// RUN: interact-opt %s --pass-pipeline='builtin.module(gpu.module(interact-gpu-subgroup-reduce-to-shuffles))' | FileCheck %s

// A warp's f32 sum becomes a butterfly of five xor shuffles over 32 lanes,
// each followed by an add.
// CHECK-LABEL: gpu.func @warp_sum
// CHECK-NOT: gpu.subgroup_reduce
// CHECK-COUNT-5: gpu.shuffle xor
// CHECK-NOT: gpu.shuffle
// CHECK: gpu.return

// A maximum over clusters of 8 lanes: three shuffles.
// CHECK-LABEL: gpu.func @cluster_max
// CHECK-NOT: gpu.subgroup_reduce
// CHECK-COUNT-3: gpu.shuffle xor
// CHECK-NOT: gpu.shuffle
// CHECK: gpu.return

// Outside a gpu.module nothing changes.
// CHECK-LABEL: func.func @negative_host
// CHECK: gpu.subgroup_reduce add

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @warp_sum(%out: memref<32xf32>) kernel {
      %lane = gpu.thread_id x
      %i = arith.index_cast %lane : index to i32
      %v = arith.sitofp %i : i32 to f32
      %sum = gpu.subgroup_reduce add %v : (f32) -> f32
      memref.store %sum, %out[%lane] : memref<32xf32>
      gpu.return
    }
    gpu.func @cluster_max(%out: memref<32xf32>) kernel {
      %lane = gpu.thread_id x
      %i = arith.index_cast %lane : index to i32
      %v = arith.sitofp %i : i32 to f32
      %max = gpu.subgroup_reduce maximumf %v cluster(size = 8) : (f32) -> f32
      memref.store %max, %out[%lane] : memref<32xf32>
      gpu.return
    }
  }
  func.func @negative_host(%v: f32) -> f32 {
    %sum = gpu.subgroup_reduce add %v : (f32) -> f32
    return %sum : f32
  }
}
