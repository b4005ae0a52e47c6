# Expands `[include "PATH"]` lines of a hand-written page with the generated
# reference under GENERATED_DIR. Usage:
#   cmake -DINPUT=page.md -DOUTPUT=out.md -DGENERATED_DIR=dir -P assemble.cmake
file(STRINGS ${INPUT} lines)
set(result "")
foreach(line IN LISTS lines)
  if(line MATCHES "^\\[include \"(.+)\"\\]$")
    set(path ${GENERATED_DIR}/${CMAKE_MATCH_1})
    if(NOT EXISTS ${path})
      message(FATAL_ERROR "${INPUT}: included file ${path} does not exist")
    endif()
    file(READ ${path} included)
    string(APPEND result "${included}\n")
  else()
    string(APPEND result "${line}\n")
  endif()
endforeach()
file(WRITE ${OUTPUT} "${result}")
