# check_private.cmake - a private header stays with its owners.
#
#   cmake -DROOT=<dir> -DHEADER=<name.h> -DOWNERS=<path;path...>
#         [-DEXPECT=pass|fail] -P tests/layers/check_private.cmake
#
# Every .c and .h under ROOT (lib/, adapters/, examples/, tests/, bench/)
# that includes "HEADER" must be one of OWNERS (paths relative to ROOT).
# governor_internal.h is the first such header: only the governor files
# see the governor struct; the layers below see hh_sync, hh_peer and
# hh_deputy (HACKING.md, "Layers"). With EXPECT=fail the check must
# refuse (its own test, on tests/layers/fixture/private).

set(_bad "")
set(_seen 0)
# The source folders only: build trees (and the Windows sysroot) are not ours.
set(_globs "")
foreach(_dir lib adapters examples tests bench include)
  list(APPEND _globs "${ROOT}/${_dir}/*.c" "${ROOT}/${_dir}/*.h")
endforeach()
if(EXPECT STREQUAL "fail")
  set(_globs "${ROOT}/*.c" "${ROOT}/*.h")
endif()
file(GLOB_RECURSE _files RELATIVE "${ROOT}" ${_globs})
foreach(_f IN LISTS _files)
  if(_f MATCHES "/fixture/private/" AND NOT EXPECT STREQUAL "fail")
    continue()
  endif()
  file(STRINGS "${ROOT}/${_f}" _hits REGEX "^[ \t]*#[ \t]*include[ \t]*\"([^\"]*/)?${HEADER}\"")
  if(NOT _hits)
    continue()
  endif()
  math(EXPR _seen "${_seen} + 1")
  list(FIND OWNERS "${_f}" _at)
  if(_at LESS 0)
    list(APPEND _bad "${_f}")
  endif()
endforeach()

set(_verdict "private: ${HEADER}: ${_seen} includer(s)")
if(_bad)
  list(JOIN _bad ", " _list)
  set(_msg "${_verdict}; not an owner: ${_list} (owners: ${OWNERS})")
  if(EXPECT STREQUAL "fail")
    message("${_msg}: refused, as expected")
    return()
  endif()
  message(FATAL_ERROR "${_msg}")
endif()
if(EXPECT STREQUAL "fail")
  message(FATAL_ERROR "${_verdict}: the check passed, it should refuse")
endif()
message("${_verdict}: ok")
