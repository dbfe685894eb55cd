# ctest bench_quick_latency_model: runs `maxq1061-bench --quick --latency-model
# --json` and checks what holds by construction, not a timing race: with the
# model on, no handshake that signs on a chip is faster than the modelled chip
# time of one signature. With -DCHIP_MS=sign=45 the run uses those chip times
# (--chip-ms) and the signature time must be EXPECT_SIGN_MS: a p50 above the
# MODELLED 20 ms then shows the simulator took them.
# Usage: cmake -DBENCH=path [-DCHIP_MS=LIST -DEXPECT_SIGN_MS=N] -P check_latency_model.cmake
set(chip_ms_args "")
if(DEFINED CHIP_MS)
  set(chip_ms_args --chip-ms "${CHIP_MS}")
endif()
execute_process(COMMAND "${BENCH}" --quick --latency-model --json ${chip_ms_args}
                OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "maxq1061-bench failed (${rc}): ${err}")
endif()
string(JSON sign_ms ERROR_VARIABLE json_error GET "${out}" latency_model sign_ms)
if(json_error)
  message(FATAL_ERROR "no latency_model.sign_ms in the output (${json_error}): ${out}")
endif()
if(sign_ms LESS 1)
  message(FATAL_ERROR "modelled signature time ${sign_ms} ms: is the model on?")
endif()
if(DEFINED EXPECT_SIGN_MS AND NOT sign_ms EQUAL EXPECT_SIGN_MS)
  message(FATAL_ERROR "signature time ${sign_ms} ms, expected ${EXPECT_SIGN_MS} from --chip-ms")
endif()
string(JSON modes LENGTH "${out}" modes)
set(checked 0)
math(EXPR last "${modes} - 1")
foreach(i RANGE ${last})
  string(JSON mode GET "${out}" modes ${i} mode)
  string(JSON p50 GET "${out}" modes ${i} p50_ms)
  if(mode STREQUAL "identity" OR mode STREQUAL "both-ends" OR mode STREQUAL "full")
    if(p50 LESS sign_ms)
      message(FATAL_ERROR "${mode}: p50 ${p50} ms is below the modelled signature time "
                          "${sign_ms} ms: the latency model did not hold the answer back")
    endif()
    math(EXPR checked "${checked} + 1")
  endif()
  message(STATUS "${mode}: p50 ${p50} ms (one modelled signature: ${sign_ms} ms)")
endforeach()
if(NOT checked EQUAL 3)
  message(FATAL_ERROR "expected the identity, full and both-ends modes: ${out}")
endif()
