#===- AddInteract.cmake - interact's libraries, tools and their export ----===#
#
# add_mlir_library installs a library into MLIR's own export set
# (MLIRTargets), which this project never installs. interact's libraries are
# built with add_mlir_library's DISABLE_INSTALL and installed into
# InteractTargets instead, which cmake/modules/CMakeLists.txt installs as the
# Interact::* targets of the CMake package (CIRCT's add_circt_library does the
# same).
#
#===----------------------------------------------------------------------===#

include_guard(GLOBAL)

# Installs TARGETS (static libraries, plugins, executables) under the install
# prefix's lib/ and bin/ and adds them to the InteractTargets export set; the
# libraries' users get the prefix's include/. Every target an exported one
# links must be exported too (or be imported, like MLIR and LLVM).
function(interact_install_targets)
  foreach(target ${ARGN})
    get_target_property(type ${target} TYPE)
    set(includes)
    if(type MATCHES "^(STATIC|SHARED|INTERFACE)_LIBRARY$")
      set(includes INCLUDES DESTINATION include)
    endif()
    install(TARGETS ${target}
      EXPORT InteractTargets
      ARCHIVE DESTINATION lib${LLVM_LIBDIR_SUFFIX}
      LIBRARY DESTINATION lib${LLVM_LIBDIR_SUFFIX}
      RUNTIME DESTINATION bin
      ${includes}
      )
  endforeach()
endfunction()

# add_mlir_library, add_mlir_dialect_library and add_mlir_conversion_library,
# installed into InteractTargets instead of MLIRTargets.
function(add_interact_library name)
  add_mlir_library(${ARGV} DISABLE_INSTALL)
  interact_install_targets(${name})
endfunction()

function(add_interact_dialect_library name)
  add_mlir_dialect_library(${ARGV} DISABLE_INSTALL)
  interact_install_targets(${name})
endfunction()

function(add_interact_conversion_library name)
  add_mlir_conversion_library(${ARGV} DISABLE_INSTALL)
  interact_install_targets(${name})
endfunction()
