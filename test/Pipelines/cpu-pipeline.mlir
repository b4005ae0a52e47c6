// interact-cpu-pipeline compiles for its target: the ISA on every llvm.func,
// the stages in order, the thread count and the transpose lowering the
// target's registers suit. A GPU or unknown target is a located error.
//
// RUN: interact-opt %s --interact-cpu-pipeline=target=x86-64-v3 | FileCheck %s --check-prefix=V3
// RUN: interact-opt %s --interact-cpu-pipeline=target=x86-64-v4 | FileCheck %s --check-prefix=V4
//
// Without a target the module's attribute stays: here interact-opt's
// --target sets it before the pipeline runs.
// RUN: interact-opt %s --target=x86-64-v4 --interact-cpu-pipeline | FileCheck %s --check-prefix=V4
//
// V3: module attributes {interact.target = #interact.target<"x86-64-v3">}
// V3: llvm.func @scan(
// V3-SAME: prefer_vector_width = "256"
// V3-SAME: target_cpu = "x86-64-v3"
// V3-SAME: target_features = #llvm.target_features<["-avx512f"]>
//
// V4: module attributes {interact.target = #interact.target<"x86-64-v4">}
// V4: llvm.func @scan(
// V4-SAME: target_cpu = "x86-64-v4"
//
// The stages, in order, with the options the target decides.
// RUN: interact-opt %s '--interact-cpu-pipeline=target=x86-64-v4 threads=3 select-form=true seq-len=100' --dump-pass-pipeline 2>&1 >/dev/null | FileCheck %s --check-prefix=STAGES
// STAGES: interact-set-target{binary-format= chip= kind= name=x86-64-v4}
// STAGES-NEXT: interact-llvm-target-attrs,
// STAGES-NEXT: interact-select-form{{{.*}}seq-len=100
// STAGES-NEXT: convert-interact-to-linalg{reference=false}
// STAGES-NEXT: interact-lower-transposes
// STAGES-NEXT: interact-approximate-exp
// STAGES: one-shot-bufferize{
// STAGES: convert-scf-to-openmp{num-threads=3}
// STAGES: convert-vector-to-llvm
// STAGES: convert-func-to-llvm
// STAGES-NEXT: interact-llvm-target-attrs,
// STAGES: reconcile-unrealized-casts
//
// The target's thread count (0: the OpenMP runtime's) where none is given.
// RUN: interact-opt %s --interact-cpu-pipeline=target=x86-64-v3 --dump-pass-pipeline 2>&1 >/dev/null | FileCheck %s --check-prefix=AVX2
// AVX2: convert-scf-to-openmp{num-threads=0}
//
// RUN: not interact-opt %s --interact-cpu-pipeline=target=sm_90 2>&1 | FileCheck %s --check-prefix=GPU
// GPU: cpu-pipeline.mlir:{{[0-9]+}}:{{[0-9]+}}: error: interact-llvm-target-attrs: target 'sm_90' is a GPU; host functions take a CPU target
//
// RUN: not interact-opt %s --interact-cpu-pipeline=target=x86-64-v9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: cpu-pipeline.mlir:{{[0-9]+}}:{{[0-9]+}}: error: unknown target 'x86-64-v9' (known: host,

module {
  func.func @scan(%x: tensor<1x3x2x4xf32>, %a: tensor<1x3x2xf32>,
                  %b: tensor<1x3x1x8xf32>) -> tensor<1x3x2x4xf32> {
    %y, %s = interact.scan %x, %a, %b, %b
        : tensor<1x3x2x4xf32>, tensor<1x3x2xf32>, tensor<1x3x1x8xf32>,
          tensor<1x3x1x8xf32> -> tensor<1x3x2x4xf32>, tensor<1x2x4x8xf32>
    return %y : tensor<1x3x2x4xf32>
  }
}
