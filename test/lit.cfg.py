# -*- Python -*-
# lit configuration of interact's regression and integration tests.

import glob
import json
import os
import shlex

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "INTERACT"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.excludes = ["Inputs", "CMakeLists.txt", "README.md", "lit.cfg.py",
                   "lit.site.cfg.py"]

config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.interact_obj_root, "test")

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", config.llvm_shlib_ext))
config.substitutions.append(("%interact_src", config.interact_src_root))
config.substitutions.append(("%interact_obj", config.interact_obj_root))
config.substitutions.append(
    ("%interact_plugin",
     os.path.join(config.interact_lib_dir, "InteractPlugin" + config.llvm_shlib_ext)))
config.substitutions.append(
    ("%mlir_opt", os.path.join(config.mlir_tools_dir, "mlir-opt")))

# Another CMake project (examples/downstream, test/Package) is configured the
# way this build was: the same compilers and build type, compiling through
# ccache where the build found one. They are passed in the environment
# (CC, CXX, CMAKE_BUILD_TYPE, CMAKE_<LANG>_COMPILER_LAUNCHER), so that the
# tests run the cmake commands of docs/GettingStarted.md as they stand.
cmake_project_env = [
    "CC=" + config.cmake_c_compiler,
    "CXX=" + config.cmake_cxx_compiler,
    "CMAKE_BUILD_TYPE=" + config.cmake_build_type,
]
if config.ccache:
    cmake_project_env += ["CMAKE_C_COMPILER_LAUNCHER=" + config.ccache,
                          "CMAKE_CXX_COMPILER_LAUNCHER=" + config.ccache]
config.substitutions.append(
    ("%cmake_project_env",
     "env " + " ".join(shlex.quote(v) for v in cmake_project_env)))
for name, value in os.environ.items():
    if name.startswith("CCACHE_"):
        config.environment[name] = value

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)

config.substitutions.append(
    ("%expect_exit",
     config.python_executable + " " +
     os.path.join(config.interact_src_root, "test", "Utils", "expect_exit.py")))

tools = ["interact-compile", "interact-opt", "interact-run"]
llvm_config.add_tool_substitutions(tools, [config.interact_tools_dir])
# The compilers of this build, for programs that call interact-compile's
# libraries (examples/c, examples/cpp, test/tools/interact-compile).
config.substitutions.append(("%cc", config.cmake_c_compiler or "cc"))
# The CUDA host runtime (lib/Runtime), and whether this machine has an NVIDIA
# GPU: tests of the runtime without a device need the first and not the
# second; GPU execution tests need both.
if config.cuda_runtime:
    config.available_features.add("cuda-runtime")
    config.substitutions.append(("%cuda_runtime", config.cuda_runtime))
if os.path.exists("/dev/nvidia0"):
    config.available_features.add("cuda-device")
# ptxas of the toolkit interact-gpu-pipeline compiles with: tests that make
# cubins, or read ptxas -v, need it.
ptxas = os.path.join(config.cuda_toolkit, "bin", "ptxas")
if config.cuda_toolkit and os.access(ptxas, os.X_OK):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
config.substitutions.append(("%cxx", config.cmake_cxx_compiler or "c++"))

# The CPU targets of the target table (lib/Target/targets/*.json) and those
# this machine executes: a row's host_features are LLVM feature names, which
# for the x86 levels are /proc/cpuinfo's flags too. Tests whose RUN lines
# name %{target} run once per CPU target (Integration/CPU/lit.local.cfg),
# and report the targets this machine cannot execute as UNSUPPORTED.
def cpu_flags():
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


config.interact_cpu_targets = []
config.interact_runnable_targets = []
for row_path in sorted(glob.glob(
        os.path.join(config.interact_src_root, "lib", "Target", "targets", "*.json"))):
    with open(row_path) as row_file:
        row = json.load(row_file)
    if row["kind"] != "cpu":
        continue
    config.interact_cpu_targets.append(row["name"])
    if set(row["host_features"]) <= cpu_flags():
        config.interact_runnable_targets.append(row["name"])
        config.available_features.add("target-" + row["name"])
