# ctest bench_quick_command_counts: runs `maxq1061-bench --quick --json` (with
# ARGS, e.g. --tls 12) and checks the issue's counted targets, which hold
# exactly, whatever the machine's speed: identity costs one chip command per
# handshake (the sign), full at most four (generate, read, ECDH, sign) and no get-challenge (random), both-ends one sign
# per chip, and no mode leaves an object behind.
# Usage: cmake -DBENCH=path [-DARGS="--tls 12"] -P check_command_counts.cmake
separate_arguments(args UNIX_COMMAND "${ARGS}")
execute_process(COMMAND "${BENCH}" --quick --json ${args}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "maxq1061-bench failed (${rc}): ${err}")
endif()
# CMake compares integers: counts per handshake in thousandths.
function(per_handshake_milli out_var mode_index)
  string(JSON v ERROR_VARIABLE e GET "${out}" modes ${mode_index} ${ARGN})
  if(e)
    set(v "0.000")  # a command that never ran is not listed
  endif()
  # CMake's JSON reader may shorten 1.000 to 1: thousandths from either form.
  if(NOT v MATCHES "^([0-9]+)(\\.([0-9]*))?$")
    message(FATAL_ERROR "not a count: ${v}")
  endif()
  set(whole ${CMAKE_MATCH_1})
  string(SUBSTRING "${CMAKE_MATCH_3}000" 0 3 frac)
  math(EXPR v "${whole} * 1000 + ${frac}")
  set(${out_var} ${v} PARENT_SCOPE)
endfunction()
string(JSON modes LENGTH "${out}" modes)
math(EXPR last "${modes} - 1")
set(seen "")
foreach(i RANGE ${last})
  string(JSON mode GET "${out}" modes ${i} mode)
  string(JSON objects GET "${out}" modes ${i} new_objects)
  per_handshake_milli(total ${i} chip_commands_per_handshake)
  per_handshake_milli(signs ${i} by_command "sign/verify")
  # random numbers come through get challenge on MAXQ106x parts
  per_handshake_milli(randoms ${i} by_command "get challenge")
  if(NOT objects EQUAL 0)
    message(FATAL_ERROR "${mode}: ${objects} objects left on the chip")
  endif()
  if(mode STREQUAL "software" AND NOT total EQUAL 0)
    message(FATAL_ERROR "software: ${total}/1000 chip commands per handshake")
  elseif(mode STREQUAL "identity" AND NOT (total EQUAL 1000 AND signs EQUAL 1000))
    message(FATAL_ERROR "identity: ${total}/1000 commands, ${signs}/1000 signs per handshake")
  elseif(mode STREQUAL "full" AND (total GREATER 4000 OR NOT signs EQUAL 1000 OR randoms GREATER 0))
    message(FATAL_ERROR "full: ${total}/1000 commands, ${signs}/1000 signs, "
                        "${randoms}/1000 get-random per handshake")
  elseif(mode STREQUAL "both-ends" AND NOT (total EQUAL 2000 AND signs EQUAL 2000))
    message(FATAL_ERROR "both-ends: ${total}/1000 commands, ${signs}/1000 signs per handshake")
  endif()
  list(APPEND seen ${mode})
  message(STATUS "${mode}: ${total}/1000 chip commands per handshake, +${objects} objects")
endforeach()
if(NOT seen STREQUAL "software;identity;full;both-ends")
  message(FATAL_ERROR "expected the four modes, got ${seen}")
endif()
