# The simulator's faces for the host's links (simulated_links/): the in-memory
# FT232H (MPSSE model) behind ftdi:model:, the unix-socket message format of
# unix:, and the `maxq1061-sim` daemon that serves it.
target_sources(maxq_simulator PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/mpsse_model.cc
  ${CMAKE_CURRENT_LIST_DIR}/spi_socket_protocol.cc
  ${CMAKE_CURRENT_LIST_DIR}/sim_daemon.cc)

add_executable(maxq1061-sim ${CMAKE_CURRENT_LIST_DIR}/sim_daemon_main.cc)
target_link_libraries(maxq1061-sim PRIVATE maxq_simulator)
install(TARGETS maxq1061-sim RUNTIME DESTINATION bin)

maxq_add_unit_test(sim_link_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/mpsse_model_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/spi_socket_protocol_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/sim_daemon_test.cc
  LIBS maxq_simulator)
if(TARGET sim_link_test)
  # The daemon tests run the built executable.
  add_dependencies(sim_link_test maxq1061-sim)
  target_compile_definitions(sim_link_test PRIVATE MAXQ_SIM_DAEMON_PATH="$<TARGET_FILE:maxq1061-sim>")
endif()
