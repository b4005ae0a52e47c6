// interact-gpu-pipeline on a kernel already in gpu form: the kernel to NVVM
// and PTX (format=isa) or a cubin (ptxas, the default format), for sm_80
// and sm_90, and the host code to the LLVM dialect with mgpu* calls, the
// launch on one stream (gpu-async-region) of lib/Runtime;
// a warp reduction becomes shuffles
// (interact-gpu-subgroup-reduce-to-shuffles). ptxas -v reports no spills
// and few registers, and the default ptxas options make a spill an error.
//
// REQUIRES: ptxas
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_90 format=isa" | FileCheck %s --check-prefix=ISA90
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_80 format=isa" | FileCheck %s --check-prefix=ISA80
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_90 format=isa" -o %t.90.mlir
// RUN: %python %interact_src/scripts/ptx_report.py %t.90.mlir --ptxas %ptxas --no-spills --max-regs 32 | FileCheck %s --check-prefix=REPORT
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_80" | FileCheck %s --check-prefix=BIN
// RUN: interact-opt %s --interact-gpu-pipeline="target=sm_90" | FileCheck %s --check-prefix=BIN
// RUN: not interact-opt %S/Inputs/spills.mlir --interact-gpu-pipeline="target=sm_90" -o /dev/null 2>&1 | FileCheck %s --check-prefix=SPILL
// RUN: not interact-opt %s --interact-gpu-pipeline="target=x86-64-v3" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not interact-opt %s --interact-gpu-pipeline="chip=sm_42" -o /dev/null 2>&1 | FileCheck %s --check-prefix=CHIP
// RUN: not interact-opt %s --interact-gpu-pipeline="format=foo" -o /dev/null 2>&1 | FileCheck %s --check-prefix=FORMAT

// ISA90: module attributes {gpu.container_module, interact.target = #interact.target<"sm_90">}
// ISA90: gpu.binary @kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_90", features = "+ptx80">
// ISA90-SAME: .target sm_90
// ISA90-SAME: .visible .entry vadd(
// ISA90-SAME: shfl.sync.bfly
// ISA90: llvm.func @vadd_host
// ISA90: gpu.launch_func <{{.*}} : !llvm.ptr> @kernels::@vadd
// ISA90: llvm.call @mgpuStreamSynchronize
// ISA80: gpu.binary @kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_80", features = "+ptx80">
// ISA80-SAME: .target sm_80
// REPORT-DAG: vadd sm_90 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=0
// REPORT-DAG: warp_sum sm_90 regs={{[0-9]+}} spill_stores=0 spill_loads=0 stack=0 smem=0
// BIN: gpu.binary @kernels [#gpu.object<#nvvm.target<O = 3, chip = "sm_{{[89]}}0", features = "+ptx80">, properties = {{{.*}}}, bin = "\7FELF
// SPILL: ptxas
// SPILL: error
// CPU: error: the pipeline compiles for a gpu target, but target 'x86-64-v3' is a CPU
// CHIP: error: unsupported chip 'sm_42' (supported: sm_80, sm_86, sm_87, sm_89, sm_90, sm_90a)
// FORMAT: error: unknown binary format 'foo' (bin, fatbin or isa)

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @vadd(%a: memref<?xf32>, %b: memref<?xf32>, %c: memref<?xf32>,
                   %n: index) kernel
        attributes {known_block_size = array<i32: 256, 1, 1>} {
      %bid = gpu.block_id x
      %tid = gpu.thread_id x
      %bdim = gpu.block_dim x
      %t = arith.muli %bid, %bdim : index
      %i = arith.addi %t, %tid : index
      %inside = arith.cmpi ult, %i, %n : index
      scf.if %inside {
        %x = memref.load %a[%i] : memref<?xf32>
        %y = memref.load %b[%i] : memref<?xf32>
        %s = arith.addf %x, %y : f32
        memref.store %s, %c[%i] : memref<?xf32>
      }
      gpu.return
    }
    // A warp's sum (the scan's readout, attention's row sums).
    gpu.func @warp_sum(%x: memref<?xf32>, %out: memref<?xf32>) kernel {
      %block = gpu.block_id x
      %lane = gpu.thread_id x
      %c32 = arith.constant 32 : index
      %base = arith.muli %block, %c32 : index
      %i = arith.addi %base, %lane : index
      %v = memref.load %x[%i] : memref<?xf32>
      %sum = gpu.subgroup_reduce add %v : (f32) -> f32
      memref.store %sum, %out[%block] : memref<?xf32>
      gpu.return
    }
  }

  func.func @vadd_host(%a: memref<?xf32>, %b: memref<?xf32>,
                       %c: memref<?xf32>) {
    %c0 = arith.constant 0 : index
    %c1 = arith.constant 1 : index
    %c255 = arith.constant 255 : index
    %c256 = arith.constant 256 : index
    %n = memref.dim %a, %c0 : memref<?xf32>
    %rounded = arith.addi %n, %c255 : index
    %blocks = arith.divui %rounded, %c256 : index
    gpu.launch_func @kernels::@vadd blocks in (%blocks, %c1, %c1)
        threads in (%c256, %c1, %c1)
        args(%a : memref<?xf32>, %b : memref<?xf32>, %c : memref<?xf32>,
             %n : index)
    return
  }
}
