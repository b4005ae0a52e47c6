// convert-interact-to-gpu's scan kernel: one gpu.launch a scan, grid
// (ceil(p / pTile), h, b), 32 lanes a warp, x/a/B/C staged per time block in
// workgroup buffers (compute type, n padded to 32), the state in iter_args of
// the time loop, y reduced by a transposing shuffle butterfly, the final
// state stored (masked) after the loop.
//
// RUN: interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-gpu | FileCheck %s
// RUN: interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-gpu="scan-p-tile=8 scan-time-block=16" | FileCheck %s --check-prefix=OPT
// RUN: not interact-opt %s --interact-set-target=name=sm_90 --convert-interact-to-gpu="scan-time-block=1024" -o /dev/null 2>&1 | FileCheck %s --check-prefix=ERR

// ERR: error: the GPU scan kernel stages 1024 time steps of x, a, B and C in {{[0-9]+}} bytes of shared memory, more than the 49152 a kernel may hold statically (state size 5, p tile 4); choose a smaller scan-time-block or p tile

// Scalar decay, f32, no initial state, 2 heads sharing one group (g < h),
// p = 3 and n = 5: one warp of 4 rows (row 3 is padding), one column a lane
// (lanes 5.. are padding), 64 steps a time block.
// CHECK-LABEL: func.func @scalar_groups_odd_f32
// CHECK: %[[B:.*]] = memref.dim %{{.*}}, %c0{{(_[0-9]+)?}} : memref<1x4x2x3xf32>
// CHECK: gpu.launch blocks(%{{.*}}, %[[HI:.*]], %[[BI:.*]]) in (%{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c2{{(_[0-9]+)?}}, %{{.*}} = %[[B]])
// CHECK-SAME: threads(%[[TID:[^,]*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %c32{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}})
// CHECK-SAME: workgroup(%[[XS:.*]] : memref<64x4xf32, #gpu.address_space<workgroup>>, %[[AS:.*]] : memref<64x2xf32, #gpu.address_space<workgroup>>, %[[BS:.*]] : memref<64x32xf32, #gpu.address_space<workgroup>>, %[[CS:.*]] : memref<64x32xf32, #gpu.address_space<workgroup>>)
// CHECK-NOT: memref.alloc
// Group i / (h / g) of B and C.
// CHECK: %[[GI:.*]] = arith.divui %[[HI]], %c2{{(_[0-9]+)?}}
// S0 (4 rows x 1 column), L (the same), A (one sum).
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32, f32, f32, f32, f32)
// CHECK: scf.for %{{.*}} = %[[TID]] to %c256{{(_[0-9]+)?}} step %c32{{(_[0-9]+)?}}
// CHECK: memref.load %{{.*}} : memref<1x4x2x3xf32>
// CHECK: memref.store %{{.*}}, %[[XS]]
// CHECK: scf.for %{{.*}} = %[[TID]] to %c64{{(_[0-9]+)?}} step %c32{{(_[0-9]+)?}}
// CHECK: memref.load %{{.*}} : memref<1x4x2xf32>
// CHECK: %[[F:.*]] = math.expm1
// CHECK: arith.minimumf %[[F]], %cst{{.*}} : f32
// CHECK: memref.store %{{.*}}, %[[AS]][%{{.*}}, %c1{{(_[0-9]+)?}}]
// CHECK: scf.for %{{.*}} = %[[TID]] to %c2048{{(_[0-9]+)?}} step %c32{{(_[0-9]+)?}}
// CHECK: memref.load %{{.*}}[%[[BI]], %{{.*}}, %[[GI]], %{{.*}}] : memref<1x4x1x5xf32>
// CHECK: memref.store %{{.*}}, %[[BS]]
// CHECK: memref.load %{{.*}}[%[[BI]], %{{.*}}, %[[GI]], %{{.*}}] : memref<1x4x1x5xf32>
// CHECK: memref.store %{{.*}}, %[[CS]]
// CHECK: gpu.barrier
// 16 groups of 4 steps, carrying L and A.
// CHECK: scf.for %{{.*}} = %{{.*}} to %c16{{(_[0-9]+)?}} step %{{.*}} iter_args({{.*}}) -> (f32, f32, f32, f32, f32)
// CHECK: math.exp
// CHECK: math.fma
// 16 partial sums (4 rows x 4 steps): 8 + 4 + 2 + 1 + 1 shuffles.
// CHECK-COUNT-8: gpu.shuffle xor %{{.*}}, %c16_i32{{.*}}, %c32_i32{{(_[0-9]+)?}}
// CHECK-NOT: gpu.shuffle
// CHECK-COUNT-4: gpu.shuffle xor %{{.*}}, %c8_i32{{.*}}, %c32_i32{{(_[0-9]+)?}}
// CHECK-NOT: gpu.shuffle
// CHECK-COUNT-2: gpu.shuffle xor %{{.*}}, %c4_i32{{.*}}, %c32_i32{{(_[0-9]+)?}}
// CHECK-NOT: gpu.shuffle
// CHECK: gpu.shuffle xor %{{.*}}, %c2_i32{{.*}}, %c32_i32{{(_[0-9]+)?}}
// CHECK-NOT: gpu.shuffle
// CHECK: gpu.shuffle xor %{{.*}}, %c1_i32{{.*}}, %c32_i32{{(_[0-9]+)?}}
// CHECK-NOT: gpu.shuffle
// CHECK: scf.if
// CHECK-NEXT: memref.store %{{.*}}, %{{.*}}[%[[BI]], %{{.*}}, %[[HI]], %{{.*}}] : memref<1x4x2x3xf32>
// CHECK: scf.yield
// CHECK: gpu.barrier
// CHECK: math.expm1
// CHECK: scf.yield
// The final state: S0 + expm1(A) S0 + L, 4 stores a thread.
// CHECK: math.expm1
// CHECK-COUNT-4: memref.store %{{.*}}, %{{.*}}[%[[BI]], %[[HI]], %{{.*}}, %{{.*}}] : memref<1x2x3x5xf32>
// CHECK: gpu.terminator

// The Mamba-2 shape: dynamic b and t, 32 heads of 64, n = 128, bf16 inputs
// with f32 decays and states. 4 warps of 4 rows, 4 columns a lane, 32 steps a
// time block (35 KiB).
// CHECK-LABEL: func.func @mamba2_bf16
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c4{{(_[0-9]+)?}}, %{{.*}} = %c32{{(_[0-9]+)?}}, %{{.*}} = %dim{{[^)]*}})
// CHECK-SAME: threads({{.*}}) in (%{{.*}} = %c128{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c1{{(_[0-9]+)?}})
// CHECK-SAME: workgroup(%{{.*}} : memref<32x16xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x2xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x128xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x128xf32, #gpu.address_space<workgroup>>)
// The sequence length, read in the kernel.
// CHECK: memref.dim %{{.*}}, %c1{{(_[0-9]+)?}} : memref<?x?x32x64xbf16>
// CHECK-COUNT-16: memref.load %{{.*}} : memref<?x32x64x128xf32>
// CHECK: scf.for {{.*}} -> ({{(f32, ){32}f32}})
// CHECK: memref.load %{{.*}} : memref<?x?x32x64xbf16>
// CHECK-NEXT: arith.extf %{{.*}} : bf16 to f32
// CHECK: memref.load %{{.*}} : memref<?x?x32xf32>
// CHECK: memref.load %{{.*}} : memref<?x?x1x128xbf16>
// CHECK-NEXT: arith.extf %{{.*}} : bf16 to f32
// CHECK: gpu.barrier
// CHECK: scf.for %{{.*}} = %{{.*}} to %c8{{(_[0-9]+)?}} step %{{.*}} -> ({{(f32, ){16}f32}})
// CHECK-COUNT-16: gpu.shuffle xor %{{.*}} : f32
// CHECK-NOT: gpu.shuffle
// CHECK: arith.truncf %{{.*}} : f32 to bf16
// CHECK-NEXT: memref.store %{{.*}} : memref<?x?x32x64xbf16>
// CHECK: gpu.barrier
// CHECK-COUNT-16: memref.store %{{.*}} : memref<?x32x64x128xf32>
// CHECK: gpu.terminator

// OPT-LABEL: func.func @mamba2_bf16
// OPT: gpu.launch blocks({{.*}}) in (%{{.*}} = %c8{{(_[0-9]+)?}}, %{{.*}} = %c32{{(_[0-9]+)?}}, %{{[^)]*}})
// OPT-SAME: threads({{.*}}) in (%{{.*}} = %c64{{(_[0-9]+)?}},
// OPT-SAME: workgroup(%{{.*}} : memref<16x8xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x2xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x128xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x128xf32, #gpu.address_space<workgroup>>)

// Diagonal decay, f32 with an initial state, 4 heads in 2 groups: the decay
// is staged by column (16 steps fit), and each lane exponentiates its own
// columns' decays.
// CHECK-LABEL: func.func @diagonal_f32
// CHECK: gpu.launch blocks(%{{.*}}, %[[HI:.*]], %{{.*}}) in (%{{.*}} = %c4{{(_[0-9]+)?}}, %{{.*}} = %c4{{(_[0-9]+)?}}, %{{[^)]*}})
// CHECK-SAME: workgroup(%{{.*}} : memref<16x16xf32, #gpu.address_space<workgroup>>, %[[AS:.*]] : memref<16x128xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x128xf32, #gpu.address_space<workgroup>>, %{{.*}} : memref<16x128xf32, #gpu.address_space<workgroup>>)
// CHECK: arith.divui %[[HI]], %c2{{(_[0-9]+)?}}
// S0 and L (16 each) and one decay sum a column (4).
// CHECK: scf.for {{.*}} -> ({{(f32, ){35}f32}})
// CHECK: memref.load %{{.*}} : memref<?x?x4x128xf32>
// CHECK: memref.store %{{.*}}, %[[AS]]
// CHECK: gpu.barrier
// CHECK: scf.for %{{.*}} = %{{.*}} to %c4{{(_[0-9]+)?}} step %{{.*}} -> ({{(f32, ){19}f32}})
// CHECK-COUNT-4: math.expm1
// CHECK: math.fma
// CHECK: gpu.shuffle xor
// CHECK: gpu.barrier
// CHECK: memref.store %{{.*}} : memref<?x4x64x128xf32>

// Diagonal decay in f64, p = 3, n = 5, static batch, dynamic length: 8
// partial sums (4 rows x 2 steps), each f64 shuffled as two i32 halves.
// CHECK-LABEL: func.func @diagonal_odd_f64
// CHECK: gpu.launch blocks({{.*}}) in (%{{.*}} = %c1{{(_[0-9]+)?}}, %{{.*}} = %c3{{(_[0-9]+)?}}, %{{[^)]*}})
// CHECK-SAME: workgroup(%{{.*}} : memref<32x4xf64, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x32xf64, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x32xf64, #gpu.address_space<workgroup>>, %{{.*}} : memref<32x32xf64, #gpu.address_space<workgroup>>)
// CHECK: scf.for {{.*}} -> ({{(f64, ){8}f64}})
// CHECK: scf.for %{{.*}} = %{{.*}} to %c16{{(_[0-9]+)?}} step %{{.*}} -> ({{(f64, ){4}f64}})
// CHECK: arith.bitcast %{{.*}} : f64 to i64
// CHECK: gpu.shuffle xor %{{.*}}, %c16_i32{{.*}} : i32
// CHECK: gpu.shuffle xor %{{.*}}, %c16_i32{{.*}} : i32
// CHECK: arith.bitcast %{{.*}} : i64 to f64
// CHECK-COUNT-4: memref.store %{{.*}} : memref<2x3x3x5xf64>

func.func @scalar_groups_odd_f32(%x: tensor<1x4x2x3xf32>, %a: tensor<1x4x2xf32>,
                %B: tensor<1x4x1x5xf32>, %C: tensor<1x4x1x5xf32>)
    -> (tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>) {
  %y, %s = interact.scan %x, %a, %B, %C
      : tensor<1x4x2x3xf32>, tensor<1x4x2xf32>, tensor<1x4x1x5xf32>,
        tensor<1x4x1x5xf32> -> tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>
  return %y, %s : tensor<1x4x2x3xf32>, tensor<1x2x3x5xf32>
}

func.func @mamba2_bf16(%x: tensor<?x?x32x64xbf16>, %a: tensor<?x?x32xf32>,
                %B: tensor<?x?x1x128xbf16>, %C: tensor<?x?x1x128xbf16>,
                %s0: tensor<?x32x64x128xf32>)
    -> (tensor<?x?x32x64xbf16>, tensor<?x32x64x128xf32>) {
  %y, %s = interact.scan %x, %a, %B, %C init %s0
      : tensor<?x?x32x64xbf16>, tensor<?x?x32xf32>, tensor<?x?x1x128xbf16>,
        tensor<?x?x1x128xbf16>, tensor<?x32x64x128xf32>
        -> tensor<?x?x32x64xbf16>, tensor<?x32x64x128xf32>
  return %y, %s : tensor<?x?x32x64xbf16>, tensor<?x32x64x128xf32>
}

func.func @diagonal_f32(%x: tensor<?x?x4x64xf32>, %a: tensor<?x?x4x128xf32>,
                %B: tensor<?x?x2x128xf32>, %C: tensor<?x?x2x128xf32>,
                %s0: tensor<?x4x64x128xf32>)
    -> (tensor<?x?x4x64xf32>, tensor<?x4x64x128xf32>) {
  %y, %s = interact.scan %x, %a, %B, %C init %s0
      : tensor<?x?x4x64xf32>, tensor<?x?x4x128xf32>, tensor<?x?x2x128xf32>,
        tensor<?x?x2x128xf32>, tensor<?x4x64x128xf32>
        -> tensor<?x?x4x64xf32>, tensor<?x4x64x128xf32>
  return %y, %s : tensor<?x?x4x64xf32>, tensor<?x4x64x128xf32>
}

func.func @diagonal_odd_f64(%x: tensor<2x?x3x3xf64>, %a: tensor<2x?x3x5xf64>,
                %B: tensor<2x?x1x5xf64>, %C: tensor<2x?x1x5xf64>)
    -> (tensor<2x?x3x3xf64>, tensor<2x3x3x5xf64>) {
  %y, %s = interact.scan %x, %a, %B, %C
      : tensor<2x?x3x3xf64>, tensor<2x?x3x5xf64>, tensor<2x?x1x5xf64>,
        tensor<2x?x1x5xf64> -> tensor<2x?x3x3xf64>, tensor<2x3x3x5xf64>
  return %y, %s : tensor<2x?x3x3xf64>, tensor<2x3x3x5xf64>
}
