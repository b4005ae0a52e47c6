// --target=NAME sets the module's interact.target before any pass runs (also
// before a --pass-pipeline); without it the module's own attribute stays.
//
// RUN: interact-opt %s --target=x86-64-v3 | FileCheck %s --check-prefix=V3
// V3: module attributes {interact.target = #interact.target<"x86-64-v3">}
//
// RUN: interact-opt %s --target=x86-64-v3 | interact-opt | FileCheck %s --check-prefix=V3
// RUN: interact-opt %s --target=x86-64-v4 --pass-pipeline='builtin.module(interact-set-target)' | FileCheck %s --check-prefix=V4
// V4: module attributes {interact.target = #interact.target<"x86-64-v4">}
//
// RUN: interact-opt %s | FileCheck %s --check-prefix=NONE
// NONE-NOT: interact.target
//
// RUN: not interact-opt %s --target=x86-64-v9 2>&1 | FileCheck %s --check-prefix=UNKNOWN
// UNKNOWN: error: unknown target 'x86-64-v9' (known: host,

module {
}
