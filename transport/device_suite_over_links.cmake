# The Device suite (device_test.cc, device_sign_test.cc,
# device_certificate_test.cc and, where faults can be injected,
# fault_recovery_test.cc) compiled once more for each link it must also pass
# over. MAXQ_TEST_LINK selects how test/support/temp_chip.h reaches the chip:
#   ftdi_model_device_test   the whole ftdi link: MPSSE bytes to the in-memory FT232H
#   unix_daemon_device_test  a maxq1061-sim process per device session, over its socket
# (transport_test runs the same files in process, the default).
set(MAXQ_DEVICE_SUITE ${CMAKE_CURRENT_LIST_DIR}/device_test.cc
                      ${CMAKE_CURRENT_LIST_DIR}/device_sign_test.cc
                      ${CMAKE_CURRENT_LIST_DIR}/device_certificate_test.cc)
set(MAXQ_FAULT_SUITE ${CMAKE_CURRENT_LIST_DIR}/fault_recovery_test.cc)
if(MAXQ_BUILD_TESTS)
  add_executable(ftdi_model_device_test ${MAXQ_DEVICE_SUITE} ${MAXQ_FAULT_SUITE})
  target_compile_definitions(ftdi_model_device_test PRIVATE
    MAXQ_TEST_LINK=MAXQ_TEST_LINK_FTDI_MODEL)
  target_link_libraries(ftdi_model_device_test PRIVATE maxq_catch_main maxq_simulated_links)
  catch_discover_tests(ftdi_model_device_test TEST_PREFIX "ftdi_model_device_test:"
                       EXTRA_ARGS ${MAXQ_CATCH_ARGS} PROPERTIES TIMEOUT 300)

  # Fault injection needs the chip in this process: those tests stay in process.
  add_executable(unix_daemon_device_test ${MAXQ_DEVICE_SUITE})
  target_compile_definitions(unix_daemon_device_test PRIVATE
    MAXQ_TEST_LINK=MAXQ_TEST_LINK_UNIX_DAEMON
    MAXQ_SIM_DAEMON_PATH="$<TARGET_FILE:maxq1061-sim>")
  target_link_libraries(unix_daemon_device_test PRIVATE maxq_catch_main maxq_simulated_links)
  add_dependencies(unix_daemon_device_test maxq1061-sim)
  catch_discover_tests(unix_daemon_device_test TEST_PREFIX "unix_daemon_device_test:"
                       EXTRA_ARGS ${MAXQ_CATCH_ARGS} PROPERTIES TIMEOUT 300)
endif()

# Provider handshakes over the unix: and ftdi:model: links (the provider and
# the TLS fixture are defined elsewhere in the tree; CMake resolves the names
# at generate time). They need the simulator in the provider module.
if(MAXQ1061_WITH_SIMULATOR)
  maxq_add_unit_test(unix_ftdi_handshake_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/unix_ftdi_handshake_test.cc
    LIBS maxq_tls_fixture maxq_simulated_links)
  if(TARGET unix_ftdi_handshake_test)
    add_dependencies(unix_ftdi_handshake_test maxq1061 maxq1061-sim)
    target_compile_definitions(unix_ftdi_handshake_test PRIVATE
      MAXQ_MODULE_DIR="$<TARGET_FILE_DIR:maxq1061>"
      MAXQ_SIM_DAEMON_PATH="$<TARGET_FILE:maxq1061-sim>")
  endif()
endif()
