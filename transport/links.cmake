# FTDI (libftdi1) and unix-socket links: sources added to maxq_transport.
target_sources(maxq_transport PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_link.cc
  ${CMAKE_CURRENT_LIST_DIR}/unix_link.cc)
target_link_libraries(maxq_transport PUBLIC PkgConfig::LIBFTDI1)
