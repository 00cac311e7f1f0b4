# selftest.cmake - proves that check_api_docs.cmake can fail: on a copy of
# docs/ it removes every mention of one function from its page and changes
# one line of an example block, then expects the check to fail naming both.
#
#   cmake -DSOURCE_DIR=<repo> -DWORK_DIR=<scratch dir> -P selftest.cmake
cmake_minimum_required(VERSION 3.25)

set(_copy ${WORK_DIR}/docs)
file(REMOVE_RECURSE ${_copy})
file(COPY ${SOURCE_DIR}/docs/ DESTINATION ${_copy})

file(READ ${_copy}/api/value.md _page)
string(REPLACE "hiveha_event_equal" "hiveha_event_eq" _page "${_page}")
string(REPLACE "set_string(NULL, 3) is EINVAL" "set_string(NULL, 3) is refused" _page "${_page}")
file(WRITE ${_copy}/api/value.md "${_page}")

execute_process(
  COMMAND ${CMAKE_COMMAND} -DSOURCE_DIR=${SOURCE_DIR} -DDOCS_DIR=${_copy}
          -P ${CMAKE_CURRENT_LIST_DIR}/check_api_docs.cmake
  RESULT_VARIABLE _rc OUTPUT_VARIABLE _out ERROR_VARIABLE _err)
set(_all "${_out}${_err}")
if(_rc EQUAL 0)
  message(FATAL_ERROR "the check passed on broken docs:\n${_all}")
endif()
foreach(_want IN ITEMS
    "hiveha_event_equal: docs/api/index.md links it to value.md, which does not mention it"
    "docs/api/value.md: the code block after <!-- example: examples/api/value.c --> differs")
  string(FIND "${_all}" "${_want}" _at)
  if(_at EQUAL -1)
    message(FATAL_ERROR "expected \"${_want}\" in the check's output:\n${_all}")
  endif()
endforeach()
message(STATUS "the check fails on a removed symbol and on a drifted example, as it should")
