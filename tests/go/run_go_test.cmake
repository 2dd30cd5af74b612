# Runs one Go program under wasm-run and checks its exact stdout, its stderr
# (a regex) and its exit status; called by ctest through add_go_program_test
# (tests/CMakeLists.txt).
#
#   WASM_RUN, MODULE     the runner and the Go module
#   OPTIONS, ARGS        wasm-run options (before MODULE) and guest args
#                        (after it); "@WORK@" in either becomes WORK
#   WORK                 a scratch directory, emptied first
#   SETUP, CHECK         optional scripts included before and after the run
#                        (with WORK set): build a host tree, check it after
#   HOST_ENV             NAME=VALUE pairs set in wasm-run's own environment
#   STDIN                "none" (/dev/null), or "file"/"pipe": STDIN_BYTES of
#                        generated text, as a file or through a pipe
#   EXPECT_STATUS, EXPECT_STDOUT_FILE, STDERR_REGEX (default: empty stderr)
cmake_minimum_required(VERSION 3.20)

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}")
if(SETUP)
  include("${SETUP}")
endif()

string(REPLACE "@WORK@" "${WORK}" OPTIONS "${OPTIONS}")
string(REPLACE "@WORK@" "${WORK}" ARGS "${ARGS}")
foreach(assignment IN LISTS HOST_ENV)
  string(FIND "${assignment}" "=" equals)
  string(SUBSTRING "${assignment}" 0 ${equals} name)
  math(EXPR value_start "${equals} + 1")
  string(SUBSTRING "${assignment}" ${value_start} -1 value)
  set(ENV{${name}} "${value}")
endforeach()

set(command ${WASM_RUN} ${OPTIONS} ${MODULE} ${ARGS})
if(NOT STDIN)
  set(STDIN none)
endif()
if(STDIN STREQUAL "none")
  set(input_file /dev/null)
else()
  # Lines of varied length (97 of them, repeated), so reads split them at
  # arbitrary points.
  set(block "")
  foreach(width RANGE 96)
    string(REPEAT "x" ${width} padding)
    string(APPEND block "line ${width} ${padding}\n")
  endforeach()
  string(LENGTH "${block}" block_length)
  math(EXPR repeats "(${STDIN_BYTES} + ${block_length} - 1) / ${block_length}")
  string(REPEAT "${block}" ${repeats} text)
  set(input_file "${WORK}/stdin.txt")
  file(WRITE "${input_file}" "${text}")
endif()

string(TIMESTAMP started "%s")
if(STDIN STREQUAL "pipe")
  # A pipe, not a file: Go's non-blocking stdin sees EAGAIN until data comes.
  execute_process(COMMAND cat "${input_file}" COMMAND ${command}
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
else()
  execute_process(COMMAND ${command} INPUT_FILE "${input_file}"
                  RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
endif()
string(TIMESTAMP finished "%s")
math(EXPR seconds "${finished} - ${started}")

string(REPLACE ";" " " shown "${command}")
set(context "command: ${shown}\nstatus: ${status}\nstdout:\n${out}\nstderr:\n${err}")
if(NOT "${status}" STREQUAL "${EXPECT_STATUS}")
  message(FATAL_ERROR "expected exit status ${EXPECT_STATUS}, got '${status}'\n${context}")
endif()
if(STDIN STREQUAL "none")
  file(READ "${EXPECT_STDOUT_FILE}" expected_out)
else()
  set(expected_out "${text}")
endif()
if(NOT out STREQUAL expected_out)
  file(WRITE "${WORK}/stdout.txt" "${out}")
  message(FATAL_ERROR "stdout differs from ${EXPECT_STDOUT_FILE} (got ${WORK}/stdout.txt)\n${context}")
endif()
if(NOT DEFINED STDERR_REGEX OR STDERR_REGEX STREQUAL "")
  set(STDERR_REGEX "^$")
endif()
if(NOT err MATCHES "${STDERR_REGEX}")
  message(FATAL_ERROR "stderr does not match '${STDERR_REGEX}'\n${context}")
endif()
if(CHECK)
  include("${CHECK}")
endif()
message(STATUS "ok in about ${seconds} s: ${shown}")
