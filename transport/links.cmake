# FTDI (libftdi1 MPSSE) and unix-socket (maxq1061-sim daemon) links: sources
# added to maxq_transport, and their tests (issue 4).
target_sources(maxq_transport PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_link.cc
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_usb.cc
  ${CMAKE_CURRENT_LIST_DIR}/shared_library.cc
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_model_usb.cc
  ${CMAKE_CURRENT_LIST_DIR}/ftdi_mpsse_bus.cc
  ${CMAKE_CURRENT_LIST_DIR}/unix_link.cc
  ${CMAKE_CURRENT_LIST_DIR}/unix_socket_bus.cc)
# libftdi1 is loaded at run time (dlopen, at the first ftdi: open; issue 16):
# only its headers (libftdi1-dev) are used at build time, so a process whose
# device is not ftdi: never maps libftdi1, libusb-1.0 or libudev.
target_include_directories(maxq_transport PRIVATE
  $<TARGET_PROPERTY:PkgConfig::LIBFTDI1,INTERFACE_INCLUDE_DIRECTORIES>)
target_link_libraries(maxq_transport PUBLIC ${CMAKE_DL_LIBS})

maxq_add_unit_test(ftdi_link_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/ftdi_mpsse_bus_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/ftdi_mpsse_bus_errors_test.cc
          ${CMAKE_CURRENT_LIST_DIR}/ftdi_usb_test.cc
  LIBS maxq_transport)

maxq_add_unit_test(unix_link_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/unix_socket_bus_test.cc
  LIBS maxq_transport)
if(TARGET unix_link_test)
  # Runs the built daemon as a child process.
  add_dependencies(unix_link_test maxq1061-sim)
  target_compile_definitions(unix_link_test PRIVATE MAXQ_SIM_DAEMON_PATH="$<TARGET_FILE:maxq1061-sim>")
endif()

# The Device tests of the transport work (device_test.cc, device_sign_test.cc,
# device_certificate_test.cc, fault_recovery_test.cc), unchanged, over the ftdi
# link and the unix link: a stand-in for test/support/temp_chip.h earlier on the
# include path opens each device session through the link instead of in process.
set(MAXQ_DEVICE_SUITE ${CMAKE_CURRENT_LIST_DIR}/device_test.cc
                      ${CMAKE_CURRENT_LIST_DIR}/device_sign_test.cc
                      ${CMAKE_CURRENT_LIST_DIR}/device_certificate_test.cc)
set(MAXQ_FAULT_SUITE ${CMAKE_CURRENT_LIST_DIR}/fault_recovery_test.cc)
if(MAXQ_BUILD_TESTS AND EXISTS ${MAXQ_FAULT_SUITE})
  add_executable(ftdi_model_device_test ${MAXQ_DEVICE_SUITE} ${MAXQ_FAULT_SUITE})
  target_include_directories(ftdi_model_device_test BEFORE PRIVATE ${CMAKE_CURRENT_LIST_DIR}/ftdi_model_suite)
  target_link_libraries(ftdi_model_device_test PRIVATE maxq_catch_main maxq_transport)
  catch_discover_tests(ftdi_model_device_test TEST_PREFIX "ftdi_model_device_test:" PROPERTIES TIMEOUT 300)

  # Fault injection needs the chip in this process: those tests stay in process.
  add_executable(unix_daemon_device_test ${MAXQ_DEVICE_SUITE})
  target_include_directories(unix_daemon_device_test BEFORE PRIVATE ${CMAKE_CURRENT_LIST_DIR}/unix_daemon_suite)
  target_link_libraries(unix_daemon_device_test PRIVATE maxq_catch_main maxq_transport)
  add_dependencies(unix_daemon_device_test maxq1061-sim)
  target_compile_definitions(unix_daemon_device_test PRIVATE MAXQ_SIM_DAEMON_PATH="$<TARGET_FILE:maxq1061-sim>")
  catch_discover_tests(unix_daemon_device_test TEST_PREFIX "unix_daemon_device_test:"
                       PROPERTIES TIMEOUT 300)
endif()

# Provider handshakes through the links (the provider and the TLS fixture of
# bench/ are defined later in the tree; CMake resolves the names at generate time).
maxq_add_unit_test(unix_ftdi_handshake_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/unix_ftdi_handshake_test.cc
  LIBS maxq_tls_fixture)
if(TARGET unix_ftdi_handshake_test)
  add_dependencies(unix_ftdi_handshake_test maxq1061 maxq1061-sim)
  target_compile_definitions(unix_ftdi_handshake_test PRIVATE
    MAXQ_MODULE_DIR="$<TARGET_FILE_DIR:maxq1061>"
    MAXQ_SIM_DAEMON_PATH="$<TARGET_FILE:maxq1061-sim>")
endif()
