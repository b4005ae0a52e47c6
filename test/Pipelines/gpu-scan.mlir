// interact-gpu-pipeline on scans: the scan kernel through NVVM to PTX and
// ptxas for sm_90 and sm_80. ptxas -v reports no spills, no stack (the state
// stays in registers) and at most 128 registers a thread (4 blocks of 128
// threads an SM), and the default ptxas options (spills are errors) make
// cubins.
//
// REQUIRES: ptxas
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_90 format=isa" -o %t.90.mlir
// RUN: FileCheck %s --check-prefix=ISA < %t.90.mlir
// RUN: %python %interact_src/scripts/ptx_report.py %t.90.mlir --ptxas %ptxas --no-spills --max-regs 128 | FileCheck %s --check-prefix=REPORT90
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_80 format=isa" -o %t.80.mlir
// RUN: %python %interact_src/scripts/ptx_report.py %t.80.mlir --ptxas %ptxas --no-spills --max-regs 128 | FileCheck %s --check-prefix=REPORT80
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_90" | FileCheck %s --check-prefix=BIN
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_80" | FileCheck %s --check-prefix=BIN

// ISA: gpu.launch_func {{.*}} @mamba2_bf16_kernel::@mamba2_bf16_kernel blocks in (%{{.*}}, %{{.*}}, %{{.*}}) threads in (%{{.*}}, %{{.*}}, %{{.*}})
// ISA: gpu.binary @mamba2_bf16_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// ISA-SAME: .visible .entry mamba2_bf16_kernel(
// ISA-SAME: .shared .align {{[0-9]+}} .b8 __wg_mamba2_bf16_kernel_0[2048]
// ISA-SAME: bar.sync \090;
// ISA-SAME: shfl.sync.bfly.b32
// ISA-SAME: cvt.rn.bf16.f32

// REPORT90-DAG: scalar_groups_odd_f32_kernel sm_90 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=17920
// REPORT90-DAG: mamba2_bf16_kernel sm_90 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=35072
// REPORT90-DAG: diagonal_f32_kernel sm_90 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=25600
// REPORT90-DAG: diagonal_odd_f64_kernel sm_90 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=25600
// REPORT80-DAG: scalar_groups_odd_f32_kernel sm_80 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=17920
// REPORT80-DAG: mamba2_bf16_kernel sm_80 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=35072
// REPORT80-DAG: diagonal_f32_kernel sm_80 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=25600
// REPORT80-DAG: diagonal_odd_f64_kernel sm_80 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=25600

// BIN-COUNT-4: gpu.binary @{{[a-z0-9_]+}}_kernel [#gpu.object<#nvvm.target<O = 3, chip = "sm_{{[89]}}0", features = "+ptx80">, properties = {{{.*}}}, bin = "\7FELF

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
