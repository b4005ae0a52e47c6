// RUN: interact-opt %s --split-input-file --interact-gpu-parallel-loops --canonicalize | FileCheck %s
// RUN: interact-opt %s --split-input-file --interact-gpu-parallel-loops=threads-per-block=64 --canonicalize | FileCheck %s --check-prefix=T64

// A 2-D loop: one thread per point, blocks of 256 over n * 8 points, the
// last dimension fastest.
// CHECK-LABEL: func.func @elementwise
// CHECK-SAME: (%[[A:.*]]: memref<?x8xf32>, %[[B:.*]]: memref<?x8xf32>, %[[N:.*]]: index)
// CHECK-DAG: %[[C8:.*]] = arith.constant 8 : index
// CHECK-DAG: %[[C256:.*]] = arith.constant 256 : index
// CHECK: %[[POINTS:.*]] = arith.maxsi %[[N]], %{{.*}} : index
// CHECK: %[[TOTAL:.*]] = arith.muli %[[POINTS]], %[[C8]] : index
// CHECK: %[[BLOCKS:.*]] = arith.ceildivsi %[[TOTAL]], %[[C256]] : index
// CHECK: gpu.launch blocks(%[[BX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[BLOCKS]], %{{.*}} = %c1{{.*}}, %{{.*}} = %c1{{.*}}) threads(%[[TX:.*]], %{{.*}}, %{{.*}}) in (%{{.*}} = %[[C256]],
// CHECK: %[[BASE:.*]] = arith.muli %[[BX]], %[[C256]] : index
// CHECK: %[[ID:.*]] = arith.addi %[[BASE]], %[[TX]] : index
// CHECK: %[[IN:.*]] = arith.cmpi ult, %[[ID]], %[[TOTAL]] : index
// CHECK: scf.if %[[IN]] {
// CHECK: %[[J:.*]] = arith.remui %[[ID]], %[[C8]] : index
// CHECK: %[[I:.*]] = arith.divui %[[ID]], %[[C8]] : index
// CHECK: memref.load %[[A]][%[[I]], %[[J]]]
// CHECK: memref.store %{{.*}}, %[[B]][%[[I]], %[[J]]]
// CHECK: gpu.terminator
// CHECK-NOT: scf.parallel
// T64-LABEL: func.func @elementwise
// T64: %[[C64:.*]] = arith.constant 64 : index
// T64: arith.ceildivsi %{{.*}}, %[[C64]] : index
func.func @elementwise(%a: memref<?x8xf32>, %b: memref<?x8xf32>, %n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c8 = arith.constant 8 : index
  scf.parallel (%i, %j) = (%c0, %c0) to (%n, %c8) step (%c1, %c1) {
    %x = memref.load %a[%i, %j] : memref<?x8xf32>
    %y = arith.addf %x, %x : f32
    memref.store %y, %b[%i, %j] : memref<?x8xf32>
    scf.reduce
  }
  return
}

// -----

// A loop with a reduction of its own is left alone (upstream's mapping
// takes it).
// CHECK-LABEL: func.func @reduction
// CHECK: scf.parallel
// CHECK-NOT: gpu.launch
func.func @reduction(%a: memref<?xf32>, %n: index) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.parallel (%i) = (%c0) to (%n) step (%c1) init (%zero) -> f32 {
    %x = memref.load %a[%i] : memref<?xf32>
    scf.reduce(%x : f32) {
    ^bb0(%l: f32, %r: f32):
      %t = arith.addf %l, %r : f32
      scf.reduce.return %t : f32
    }
  }
  return %s : f32
}
