# A maxq1061.so built without the simulator (MAXQ1061_WITH_SIMULATOR=OFF, or
# the twin the default build makes for this check) holds no simulator code
# and refuses the simulated devices with a ConfigError saying why.
#   cmake -DMODULE=.../maxq1061.so -DNM=nm -DOPENSSL=openssl -DWORK=DIR -P check_without_simulator.cmake
foreach(v MODULE NM OPENSSL WORK)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "check_without_simulator.cmake needs -D${v}=...")
  endif()
endforeach()

# 1. The symbol table (the static one: every function linked in, hidden or not).
execute_process(COMMAND ${NM} -C ${MODULE} OUTPUT_VARIABLE symbols ERROR_VARIABLE nm_error
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -C ${MODULE} failed: ${nm_error}")
endif()
if(NOT symbols MATCHES "maxq::transport::LinkRegistry")
  message(FATAL_ERROR "${MODULE} has no symbol table to check (stripped?): nothing of "
                      "maxq::transport::LinkRegistry in `nm -C`")
endif()
string(REGEX MATCHALL "[^\n]*(maxq::sim::|maxq::simulated_links::|SimBus|ModelFtdiUsb|UnixSocketBus|MpsseModel)[^\n]*"
       simulator_symbols "${symbols}")
if(simulator_symbols)
  list(LENGTH simulator_symbols n)
  list(SUBLIST simulator_symbols 0 10 shown)
  string(REPLACE ";" "\n  " shown "${shown}")
  message(FATAL_ERROR "${MODULE} links simulator code (${n} symbols), e.g.\n  ${shown}")
endif()

# 2. The simulated devices are refused, naming this build and what to use.
get_filename_component(module_dir ${MODULE} DIRECTORY)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
foreach(device "sim:${WORK}/chip.state" "unix:${WORK}/chip.sock" "ftdi:model:${WORK}/chip.state")
  execute_process(
    COMMAND ${CMAKE_COMMAND} -E env MAXQ1061_DEVICE=${device}
            MAXQ1061_ADMIN_KEY=${WORK}/admin.pem MAXQ1061_KEY_IMPORT_KEY=${WORK}/import.pem
            ${OPENSSL} genpkey -provider-path ${module_dir} -provider maxq1061 -provider default
            -propquery provider=maxq1061 -algorithm EC -pkeyopt group:P-256 -pkeyopt id:0x0101
            -out ${WORK}/ref.pem
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(rc EQUAL 0)
    message(FATAL_ERROR "device ${device}: genpkey succeeded on a provider without the simulator")
  endif()
  if(NOT err MATCHES "built without the simulator" OR NOT err MATCHES "ftdi:DESC"
     OR NOT err MATCHES "broker:PATH" OR NOT err MATCHES "MAXQ1061_WITH_SIMULATOR=ON")
    message(FATAL_ERROR "device ${device}: the refusal does not say why or what to use:\n${err}")
  endif()
  if(NOT out STREQUAL "")
    message(FATAL_ERROR "device ${device}: something was printed to stdout:\n${out}")
  endif()
endforeach()
file(REMOVE_RECURSE ${WORK})
message(STATUS "${MODULE}: no simulator symbols; sim:, unix: and ftdi:model: refused")
