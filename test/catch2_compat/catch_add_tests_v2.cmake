# Test discovery for Catch2 2 (Debian 12), run by catch_discover_tests after
# each unit-test build in place of Catch2 2.13's CatchAddTests.cmake. That one
# splits a test name at ';' (CMake's list separator): "a; b" became two CTest
# tests that matched no test case and passed without running anything. This
# one escapes ';' first, as Catch2 3's does. It handles only the options the
# project uses: TEST_PREFIX, EXTRA_ARGS and PROPERTIES.
execute_process(
  COMMAND "${TEST_EXECUTABLE}" --list-test-names-only
  OUTPUT_VARIABLE output
  RESULT_VARIABLE result
  WORKING_DIRECTORY "${TEST_WORKING_DIR}")
# --list-test-names-only exits with the number of tests.
if(NOT result MATCHES "^[0-9]+$")
  message(FATAL_ERROR "cannot list the tests of ${TEST_EXECUTABLE}: ${result}\n${output}")
elseif(result EQUAL 0)
  message(WARNING "${TEST_EXECUTABLE} has no tests")
endif()
string(REPLACE ";" "\\;" output "${output}")
string(REPLACE "\n" ";" output "${output}")

set(script "")
set(tests "")
foreach(name IN LISTS output)
  if(name STREQUAL "")
    continue()
  endif()
  # The name is also Catch's test spec, where ',', '[' and ']' are syntax.
  set(spec "${name}")
  foreach(char , [ ])
    string(REPLACE "${char}" "\\${char}" spec "${spec}")
  endforeach()
  set(test "${TEST_PREFIX}${name}")
  set(args "")
  foreach(arg IN LISTS TEST_EXTRA_ARGS)
    string(APPEND args " [==[${arg}]==]")
  endforeach()
  string(APPEND script "add_test([==[${test}]==] [==[${TEST_EXECUTABLE}]==] [==[${spec}]==]${args})\n")
  set(props "")
  foreach(prop IN LISTS TEST_PROPERTIES)
    string(APPEND props " [==[${prop}]==]")
  endforeach()
  string(APPEND script "set_tests_properties([==[${test}]==] PROPERTIES"
         " WORKING_DIRECTORY [==[${TEST_WORKING_DIR}]==]${props})\n")
  string(APPEND tests " [==[${test}]==]")
endforeach()
string(APPEND script "set(${TEST_LIST}${tests})\n")
file(WRITE "${CTEST_FILE}" "${script}")
