# Test helpers, defined once before any test area is added (tests/CMakeLists.txt
# includes this file), so no area depends on the order areas are added in.

# hiveha_add_test(NAME SOURCES src... [LIBS lib...])
# A Criterion executable registered in ctest under NAME.
function(hiveha_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE PkgConfig::CRITERION hiveha_warnings ${T_LIBS})
  add_test(NAME ${name} COMMAND ${name} --jobs 2)
  # A hang fails the test instead of the CI run. Per-test Criterion
  # .timeout values are avoided: two of them running at once under --jobs
  # leak 48 bytes inside libcriterion, which fails the LeakSanitizer stage.
  set_tests_properties(${name} PROPERTIES TIMEOUT 600)
endfunction()

# hiveha_add_conformance_test(NAME FACTORY source [LIBS lib...])
# The store conformance suite (tests/conformance/conformance.c) built with
# the factory `source`, which defines conformance_store_open /
# conformance_store_close (tests/conformance/conformance.h), as the
# Criterion test NAME. Any store -- ours, an adapter, a host's -- is held to
# the same suite by one call of this function.
set(HIVEHA_CONFORMANCE_DIR ${PROJECT_SOURCE_DIR}/tests/conformance)
function(hiveha_add_conformance_test name)
  cmake_parse_arguments(C "" "FACTORY" "LIBS" ${ARGN})
  if(NOT C_FACTORY)
    message(FATAL_ERROR "hiveha_add_conformance_test(${name}): FACTORY is required")
  endif()
  if(NOT EXISTS ${HIVEHA_CONFORMANCE_DIR}/conformance.c)
    message(FATAL_ERROR "hiveha_add_conformance_test: ${HIVEHA_CONFORMANCE_DIR}/conformance.c is missing")
  endif()
  hiveha_add_test(${name}
    SOURCES ${HIVEHA_CONFORMANCE_DIR}/conformance.c ${C_FACTORY}
    LIBS ${C_LIBS} hiveha_scratchdir)
  target_include_directories(${name} PRIVATE ${HIVEHA_CONFORMANCE_DIR})
endfunction()

# C11 <threads.h> for tests that start threads with thrd_create: missing on
# MinGW-w64 with msvcrt, where tests/compat/win32 stands in for it.
include(CheckIncludeFile)
check_include_file(threads.h HIVEHA_HAVE_THREADS_H)
add_library(hiveha_compat_threads INTERFACE)
if(WIN32 AND NOT HIVEHA_HAVE_THREADS_H)
  target_include_directories(hiveha_compat_threads INTERFACE ${PROJECT_SOURCE_DIR}/tests/compat/win32)
endif()
