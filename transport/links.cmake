# FTDI (libftdi1 MPSSE) and unix-socket (maxq1061-sim daemon) links: sources
# added to maxq_transport, and their tests (issue 4).
target_sources(maxq_transport PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_link.cc
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_usb.cc
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_model_usb.cc
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_mpsse_bus.cc
  ${CMAKE_CURRENT_LIST_DIR}/unix_link.cc
  ${CMAKE_CURRENT_LIST_DIR}/unix_socket_bus.cc)
target_link_libraries(maxq_transport PUBLIC PkgConfig::LIBFTDI1)

maxq_add_unit_test(ftdi_link_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ftdi_mpsse_bus_test.cc
  LIBS maxq_transport)
