# expect.cmake - runs check_layers.cmake and checks its verdict, so that the
# check's own tests fail when it passes what it must refuse (or refuses
# for another reason than the expected one).
#
#   cmake -DNM=... -DOBJECTS_FILE=... [-DALLOW_FILE=...] -DEXPECT=pass|fail
#         [-DMATCH_1=<regex> [-DMATCH_2=<regex> ...]] -P expect.cmake

set(_args -DNM=${NM} -DOBJECTS_FILE=${OBJECTS_FILE})
if(ALLOW_FILE)
  list(APPEND _args -DALLOW_FILE=${ALLOW_FILE})
endif()
execute_process(
  COMMAND ${CMAKE_COMMAND} ${_args} -P ${CMAKE_CURRENT_LIST_DIR}/check_layers.cmake
  OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
set(_all "${_out}${_err}")
message("${_all}")
if(_all MATCHES "layers: SKIPPED")
  return() # the test's SKIP_REGULAR_EXPRESSION sees it
endif()
if(EXPECT STREQUAL "pass" AND NOT _rc EQUAL 0)
  message(FATAL_ERROR "expect: the check failed (exit ${_rc}), it should pass")
elseif(EXPECT STREQUAL "fail" AND _rc EQUAL 0)
  message(FATAL_ERROR "expect: the check passed, it should fail")
elseif(NOT EXPECT MATCHES "^(pass|fail)$")
  message(FATAL_ERROR "expect: EXPECT must be pass or fail, not \"${EXPECT}\"")
endif()
foreach(_i RANGE 1 3)
  if(DEFINED MATCH_${_i} AND NOT _all MATCHES "${MATCH_${_i}}")
    message(FATAL_ERROR "expect: the output does not match \"${MATCH_${_i}}\"")
  endif()
endforeach()
