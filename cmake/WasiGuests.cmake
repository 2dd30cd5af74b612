# C guests built for wasm32-wasi with clang and wasi-libc (Debian's clang,
# lld, wasi-libc and libclang-rt-14-dev-wasm32, installed by
# scripts/setup.sh), for the tests that run real WASI programs.
#
# wasmrt_wasi_guests(TARGET name GUESTS g... [DEPENDS header...] USABLE_VAR v)
# builds ${CMAKE_CURRENT_SOURCE_DIR}/<g>.c into ${CMAKE_CURRENT_BINARY_DIR}/<g>.wasm
# under the custom target `name` (part of ALL). The toolchain is probed once
# with a full compile and link (clang itself is usually present, the
# wasm32 parts often are not); `v` says whether it works, and
# WASMRT_WASI_PROBE_OUTPUT (set in the caller) what the probe printed.
find_program(WASMRT_WASI_CLANG NAMES clang clang-14)
set(WASMRT_WASI_CLANG_FLAGS --target=wasm32-wasi --sysroot=/usr -O1 -Wall -Wextra -Werror -Wl,--strip-all)

# Probed once per configure run (not cached: a toolchain installed later is
# found by the next configure).
function(wasmrt_wasi_toolchain_probe)
  get_property(probed GLOBAL PROPERTY WASMRT_WASI_PROBED)
  if(probed)
    return()
  endif()
  set(ok OFF)
  set(output "clang not found")
  if(WASMRT_WASI_CLANG)
    set(probe_source ${PROJECT_BINARY_DIR}/wasi_probe.c)
    file(WRITE ${probe_source} "#include <stdio.h>\n#include <wasi/api.h>\n"
                               "int main(void) { puts(\"ok\"); return __wasi_sched_yield(); }\n")
    execute_process(COMMAND ${WASMRT_WASI_CLANG} ${WASMRT_WASI_CLANG_FLAGS} ${probe_source}
                            -o ${PROJECT_BINARY_DIR}/wasi_probe.wasm
                    RESULT_VARIABLE status OUTPUT_VARIABLE output ERROR_VARIABLE output)
    if(status EQUAL 0)
      set(ok ON)
    endif()
  endif()
  set_property(GLOBAL PROPERTY WASMRT_WASI_PROBED ON)
  set_property(GLOBAL PROPERTY WASMRT_WASI_TOOLCHAIN_OK ${ok})
  set_property(GLOBAL PROPERTY WASMRT_WASI_PROBE_OUTPUT "${output}")
endfunction()

function(wasmrt_wasi_guests)
  cmake_parse_arguments(ARG "" "TARGET;USABLE_VAR" "GUESTS;DEPENDS" ${ARGN})
  wasmrt_wasi_toolchain_probe()
  get_property(ok GLOBAL PROPERTY WASMRT_WASI_TOOLCHAIN_OK)
  get_property(output GLOBAL PROPERTY WASMRT_WASI_PROBE_OUTPUT)
  set(${ARG_USABLE_VAR} ${ok} PARENT_SCOPE)
  set(WASMRT_WASI_PROBE_OUTPUT "${output}" PARENT_SCOPE)
  if(NOT ok)
    return()
  endif()
  set(outputs "")
  foreach(guest ${ARG_GUESTS})
    set(source ${CMAKE_CURRENT_SOURCE_DIR}/${guest}.c)
    set(depends ${source})
    foreach(header ${ARG_DEPENDS})
      list(APPEND depends ${CMAKE_CURRENT_SOURCE_DIR}/${header})
    endforeach()
    add_custom_command(
      OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/${guest}.wasm
      COMMAND ${WASMRT_WASI_CLANG} ${WASMRT_WASI_CLANG_FLAGS} ${source} -o ${CMAKE_CURRENT_BINARY_DIR}/${guest}.wasm
      DEPENDS ${depends}
      COMMENT "Building the wasm32-wasi guest ${guest}"
      VERBATIM)
    list(APPEND outputs ${CMAKE_CURRENT_BINARY_DIR}/${guest}.wasm)
  endforeach()
  add_custom_target(${ARG_TARGET} ALL DEPENDS ${outputs})
endfunction()
