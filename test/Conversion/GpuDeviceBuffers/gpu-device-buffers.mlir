// RUN: interact-opt %s --split-input-file --verify-diagnostics --interact-gpu-device-buffers | FileCheck %s

// Host allocations, deallocations and copies become their gpu forms; a
// kernel's own memory ops stay.
// CHECK-LABEL: func.func @buffers
// CHECK-SAME: (%[[A:.*]]: memref<?x8xf32>, %[[N:.*]]: index)
// CHECK: %[[M:.*]] = gpu.alloc (%[[N]]) : memref<?x8xf32>
// CHECK: gpu.memcpy %[[M]], %[[A]] : memref<?x8xf32>, memref<?x8xf32>
// CHECK: gpu.launch
// CHECK: memref.load
// CHECK: memref.store
// CHECK: gpu.dealloc %[[M]] : memref<?x8xf32>
// CHECK-NOT: memref.alloc
// CHECK-NOT: memref.dealloc
// CHECK-NOT: memref.copy
func.func @buffers(%a: memref<?x8xf32>, %n: index) {
  %c1 = arith.constant 1 : index
  %c0 = arith.constant 0 : index
  %m = memref.alloc(%n) : memref<?x8xf32>
  memref.copy %a, %m : memref<?x8xf32> to memref<?x8xf32>
  gpu.launch blocks(%bx, %by, %bz) in (%x = %c1, %y = %c1, %z = %c1)
             threads(%tx, %ty, %tz) in (%u = %c1, %v = %c1, %w = %c1) {
    %e = memref.load %m[%c0, %c0] : memref<?x8xf32>
    memref.store %e, %a[%c0, %c0] : memref<?x8xf32>
    gpu.terminator
  }
  memref.dealloc %m : memref<?x8xf32>
  return
}

// -----

// Host code that reads an element would dereference device memory.
func.func @host_load(%a: memref<8xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  // expected-error @below {{'memref.load' op reads or writes buffer elements in host code of a GPU module}}
  %e = memref.load %a[%c0] : memref<8xf32>
  return %e : f32
}

// -----

// A constant tensor lives in host memory.
memref.global "private" constant @table : memref<4xf32> = dense<1.0>
func.func @constant() -> memref<4xf32> {
  // expected-error @below {{'memref.get_global' op is a constant tensor in host memory, which the kernels of a GPU module cannot read: pass it as an argument instead}}
  %g = memref.get_global @table : memref<4xf32>
  return %g : memref<4xf32>
}

// -----

// gpu.memcpy copies whole dense buffers only.
func.func @strided_copy(%a: memref<8x8xf32>, %b: memref<8x4xf32>) {
  %s = memref.subview %a[0, 0] [8, 4] [1, 1]
      : memref<8x8xf32> to memref<8x4xf32, strided<[8, 1]>>
  // expected-error @below {{copies a strided view; only dense device buffers can be copied}}
  memref.copy %s, %b : memref<8x4xf32, strided<[8, 1]>> to memref<8x4xf32>
  return
}

// -----

// Stack buffers cannot be device memory.
func.func @stack() {
  // expected-error @below {{stack buffers cannot live in device memory}}
  %m = memref.alloca() : memref<4xf32>
  return
}
