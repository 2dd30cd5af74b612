# Runs one Go program twice, built natively and for wasip1 under wasm-run,
# with the same inputs, and requires the two runs to agree byte for byte:
# exit status, stdout, stderr, and every file in the directory each run
# worked in. Called by ctest through add_go_native_compare_test
# (tests/go/programs.cmake).
#
#   WASM_RUN, MODULE, NATIVE  the runner, the wasip1 module, the native build
#   OPTIONS                   wasm-run options (the tier)
#   ARGS                      the program's arguments, the same for both runs
#   WORK                      a scratch directory, emptied first
#   GEN                       optional: arguments of a native run that makes
#                             the inputs, in WORK/seed (its working directory)
#   STDIN                     "none" (/dev/null), "file:PATH", "pipe:PATH"
#                             (through `cat`) or "trickle:PATH" (through the
#                             native program's `trickle PATH` mode, a slow
#                             producer); PATH relative to WORK/seed
#   STDOUT_PIPE               ON: stdout is a pipe (through `cat`), not a file
#   EXPECT_STATUS             the status both runs must end with
#
# Each run gets its own copy of WORK/seed: the native one as its working
# directory, the wasm one preopened as /work with PWD=/work, so relative
# paths name the same files in both and print the same.
cmake_minimum_required(VERSION 3.23)

function(now_ms out)
  string(TIMESTAMP s "%s")
  string(TIMESTAMP us "%f")
  math(EXPR ms "${s} * 1000 + ${us} / 1000")
  set(${out} ${ms} PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK}")
file(MAKE_DIRECTORY "${WORK}/seed")
if(GEN)
  execute_process(COMMAND ${NATIVE} ${GEN} WORKING_DIRECTORY "${WORK}/seed"
                  RESULT_VARIABLE status ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "generating the inputs failed (${status}): ${NATIVE} ${GEN}\n${err}")
  endif()
endif()
foreach(side native wasm)
  file(COPY "${WORK}/seed/" DESTINATION "${WORK}/${side}")
endforeach()

if(NOT STDIN OR STDIN STREQUAL "none")
  set(stdin_mode none)
  set(stdin_file /dev/null)
else()
  string(REGEX MATCH "^(file|pipe|trickle):(.+)$" match "${STDIN}")
  if(NOT match)
    message(FATAL_ERROR "STDIN must be none, file:PATH, pipe:PATH or trickle:PATH, not '${STDIN}'")
  endif()
  set(stdin_mode ${CMAKE_MATCH_1})
  set(stdin_file "${WORK}/seed/${CMAKE_MATCH_2}")
endif()

# run(SIDE COMMAND...): runs the command as the side's run, stdout and
# stderr into WORK/SIDE.stdout and WORK/SIDE.stderr.
function(run side)
  set(command ${ARGN})
  set(pipeline "")
  set(input_option INPUT_FILE "${stdin_file}")
  set(index 0)
  if(stdin_mode STREQUAL "pipe")
    # A pipe, not a file: reads come short, and Go's non-blocking stdin
    # sees EAGAIN until data comes.
    list(APPEND pipeline COMMAND cat "${stdin_file}")
    set(input_option "")
    set(index 1)
  elseif(stdin_mode STREQUAL "trickle")
    # A slow producer: the native program's `trickle PATH` mode.
    list(APPEND pipeline COMMAND ${NATIVE} trickle "${stdin_file}")
    set(input_option "")
    set(index 1)
  endif()
  list(APPEND pipeline COMMAND ${command})
  if(STDOUT_PIPE)
    list(APPEND pipeline COMMAND cat)
  endif()
  now_ms(started)
  execute_process(${pipeline} ${input_option}
                  WORKING_DIRECTORY "${WORK}/${side}"
                  OUTPUT_FILE "${WORK}/${side}.stdout" ERROR_FILE "${WORK}/${side}.stderr"
                  RESULTS_VARIABLE results)
  now_ms(finished)
  math(EXPR ms "${finished} - ${started}")
  list(GET results ${index} status)
  set(${side}_status "${status}" PARENT_SCOPE)
  set(${side}_ms ${ms} PARENT_SCOPE)
  string(REPLACE ";" " " shown "${command}")
  set(${side}_shown "${shown}" PARENT_SCOPE)
endfunction()

run(native ${NATIVE} ${ARGS})
run(wasm ${WASM_RUN} ${OPTIONS} --dir "${WORK}/wasm::/work" --env PWD=/work ${MODULE} ${ARGS})

file(READ "${WORK}/wasm.stderr" wasm_err LIMIT 4000)
file(READ "${WORK}/native.stderr" native_err LIMIT 4000)
set(context "native: ${native_shown} (in ${WORK}/native)\n  status ${native_status}, ${native_ms} ms\n"
            "wasm:   ${wasm_shown}\n  status ${wasm_status}, ${wasm_ms} ms\n"
            "native stderr (start):\n${native_err}\nwasm stderr (start):\n${wasm_err}")
set(failures "")
if(NOT "${native_status}" STREQUAL "${EXPECT_STATUS}")
  string(APPEND failures "the native run ended with status ${native_status}, not ${EXPECT_STATUS} (a broken test)\n")
endif()
if(NOT "${wasm_status}" STREQUAL "${native_status}")
  string(APPEND failures "exit status: wasm ${wasm_status}, native ${native_status}\n")
endif()
foreach(stream stdout stderr)
  file(SIZE "${WORK}/native.${stream}" native_size)
  file(SIZE "${WORK}/wasm.${stream}" wasm_size)
  execute_process(COMMAND ${CMAKE_COMMAND} -E compare_files "${WORK}/native.${stream}" "${WORK}/wasm.${stream}"
                  RESULT_VARIABLE differ)
  if(differ)
    string(APPEND failures "${stream} differs: native ${native_size} bytes, wasm ${wasm_size} bytes "
                           "(${WORK}/native.${stream}, ${WORK}/wasm.${stream})\n")
  endif()
endforeach()

# The trees the two runs leave behind: the same entries, the same bytes,
# symbolic links (not followed) with the same targets.
foreach(side native wasm)
  file(GLOB_RECURSE ${side}_entries LIST_DIRECTORIES true RELATIVE "${WORK}/${side}" "${WORK}/${side}/*")
  list(SORT ${side}_entries)
endforeach()
if(NOT "${native_entries}" STREQUAL "${wasm_entries}")
  set(only_native ${native_entries})
  list(REMOVE_ITEM only_native ${wasm_entries})
  set(only_wasm ${wasm_entries})
  list(REMOVE_ITEM only_wasm ${native_entries})
  string(APPEND failures "the trees differ: only native: ${only_native}; only wasm: ${only_wasm}\n")
else()
  set(files 0)
  foreach(entry IN LISTS native_entries)
    set(a "${WORK}/native/${entry}")
    set(b "${WORK}/wasm/${entry}")
    if(IS_SYMLINK "${a}" OR IS_SYMLINK "${b}")
      if(NOT (IS_SYMLINK "${a}" AND IS_SYMLINK "${b}"))
        string(APPEND failures "${entry}: a symbolic link on one side only\n")
      else()
        file(READ_SYMLINK "${a}" target_a)
        file(READ_SYMLINK "${b}" target_b)
        if(NOT target_a STREQUAL target_b)
          string(APPEND failures "${entry}: links to '${target_a}' natively, '${target_b}' on wasm\n")
        endif()
      endif()
      continue()
    endif()
    if(IS_DIRECTORY "${a}" OR IS_DIRECTORY "${b}")
      if(NOT (IS_DIRECTORY "${a}" AND IS_DIRECTORY "${b}"))
        string(APPEND failures "${entry}: a directory on one side only\n")
      endif()
      continue()
    endif()
    math(EXPR files "${files} + 1")
    file(SHA256 "${a}" sum_a)
    file(SHA256 "${b}" sum_b)
    if(NOT sum_a STREQUAL sum_b)
      string(APPEND failures "file ${entry} differs\n")
    endif()
  endforeach()
endif()

if(failures)
  message(FATAL_ERROR "wasm and native differ:\n${failures}${context}")
endif()
file(SIZE "${WORK}/native.stdout" stdout_size)
list(LENGTH native_entries entries)
message(STATUS "identical: status ${wasm_status}, ${stdout_size} bytes of stdout, stderr, ${entries} tree entries; "
               "native ${native_ms} ms, wasm ${wasm_ms} ms: ${wasm_shown}")
