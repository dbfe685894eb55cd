# The link work of issue 4 on the simulator side: the in-memory FT232H (MPSSE
# model) the ftdi link is tested against, the unix-socket message format, and
# the `maxq1061-sim` daemon.
target_sources(maxq_simulator PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/mpsse_model.cc
  ${CMAKE_CURRENT_LIST_DIR}/spi_socket_protocol.cc
  ${CMAKE_CURRENT_LIST_DIR}/sim_daemon.cc)

add_executable(maxq1061-sim ${CMAKE_CURRENT_LIST_DIR}/sim_daemon_main.cc)
target_link_libraries(maxq1061-sim PRIVATE maxq_simulator)
install(TARGETS maxq1061-sim RUNTIME DESTINATION bin)

