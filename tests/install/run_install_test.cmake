# Installs the already-built tree into a scratch prefix, then configures,
# builds and runs tests/install (a separate project) against it, so the
# exported package is checked exactly as an outside consumer sees it.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer)

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "${what} failed (${status}):\n${out}")
  endif()
  set(step_output "${out}" PARENT_SCOPE)
endfunction()

run_step("install" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
foreach(expected include/wasmrt/wasmrt.h include/wasmrt/result.h bin/wasm-run)
  if(NOT EXISTS ${prefix}/${expected})
    message(FATAL_ERROR "install did not produce ${expected}")
  endif()
endforeach()
# Internal headers must not leak into the installed tree.
file(GLOB_RECURSE internal_headers ${prefix}/include/runtime/*)
if(internal_headers)
  message(FATAL_ERROR "internal headers were installed: ${internal_headers}")
endif()

run_step("configure consumer" ${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build}
         -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX_COMPILER} -DCMAKE_PREFIX_PATH=${prefix})
run_step("build consumer" ${CMAKE_COMMAND} --build ${consumer_build})
run_step("run consumer" ${consumer_build}/install_consumer)
if(NOT step_output MATCHES "export func \"add\"")
  message(FATAL_ERROR "consumer output unexpected:\n${step_output}")
endif()
message(STATUS "install test ok:\n${step_output}")
