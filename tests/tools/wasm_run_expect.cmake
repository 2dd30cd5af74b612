# Runs wasm-run with ARGS (a ;-list) and checks its exact exit STATUS, that
# stderr matches STDERR_REGEX and, if set, that stdout matches STDOUT_REGEX:
# bad input must give one error line and a chosen status, never a crash (a
# signal shows up as a non-numeric status).
execute_process(COMMAND ${WASM_RUN} ${ARGS}
                RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT "${status}" STREQUAL "${STATUS}")
  message(FATAL_ERROR "expected exit status ${STATUS}, got '${status}'\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "${STDERR_REGEX}")
  message(FATAL_ERROR "stderr does not match '${STDERR_REGEX}':\n'${err}'")
endif()
# STDOUT_REGEX, when given: what the guest printed (its view of the grants).
if(DEFINED STDOUT_REGEX AND NOT out MATCHES "${STDOUT_REGEX}")
  message(FATAL_ERROR "stdout does not match '${STDOUT_REGEX}':\n'${out}'")
endif()
message(STATUS "ok: ${err}")
