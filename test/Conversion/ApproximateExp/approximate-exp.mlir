// RUN: interact-opt %s --interact-approximate-exp | FileCheck %s

// f32 exponentials, scalar and vector, become inline arithmetic.
// CHECK-LABEL: func.func @f32_exp
// CHECK-NOT: math.exp
// CHECK: math.fma {{.*}} : vector<16xf32>
// CHECK: arith.bitcast {{.*}} : vector<16xi32> to vector<16xf32>
// CHECK: return
func.func @f32_exp(%s: f32, %v: vector<16xf32>) -> (f32, vector<16xf32>) {
  %a = math.exp %s : f32
  %b = math.exp %v : vector<16xf32>
  return %a, %b : f32, vector<16xf32>
}

// f64 (the reference lowering's type) keeps the library exp.
// CHECK-LABEL: func.func @f64_exp
// CHECK: math.exp %{{.*}} : f64
func.func @f64_exp(%s: f64) -> f64 {
  %a = math.exp %s : f64
  return %a : f64
}
