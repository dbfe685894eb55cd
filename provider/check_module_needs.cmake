# ctest: maxq1061.so names no shared library but libcrypto and the C runtime
# (issue 16). Anything else it needs (libstdc++, libm, libftdi1, libusb) is
# mapped and relocated in every process that loads the provider, used or not;
# libm came back once through one floating-point parse. Written for glibc
# 2.34 and later (Debian 12 and 13), where dlopen and pthreads are in libc:
# an older glibc's libdl and libpthread would be reported here.
# Usage: cmake -DREADELF=PATH -DMODULE=PATH -P check_module_needs.cmake
execute_process(COMMAND ${READELF} -d ${MODULE} OUTPUT_VARIABLE dynamic RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "readelf -d ${MODULE} failed (${rc})")
endif()
string(REGEX MATCHALL "\\(NEEDED\\)[^\n]*\\[[^]\n]+\\]" lines "${dynamic}")
set(unexpected)
foreach(line IN LISTS lines)
  string(REGEX REPLACE ".*\\[([^]]+)\\]" "\\1" library "${line}")
  message(STATUS "NEEDED ${library}")
  if(NOT library MATCHES "^(libcrypto\\.so\\.[0-9]+|libc\\.so\\.6|ld-linux[-a-z0-9_.]*\\.so\\.[0-9]+)$")
    list(APPEND unexpected ${library})
  endif()
endforeach()
if(NOT lines)
  message(FATAL_ERROR "no NEEDED entry read from ${MODULE}")
endif()
if(unexpected)
  message(FATAL_ERROR "maxq1061.so needs ${unexpected}: every process that loads the provider "
                      "would map it. Find the reference with -Wl,-Map (its 'As-needed library "
                      "included' section) and remove it, or load the library at first use.")
endif()
