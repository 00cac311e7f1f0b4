# one_core.cmake - one copy of the core per program.
#
# hiveha_check_one_core() walks every target of the build (call it at the
# end of the top-level CMakeLists.txt) and fails the configure when a
# target's link closure holds both the static `hiveha_internal` and the
# shared `hiveha`: the program would run two copies of the core - two
# sets of globals-free but distinct code, whose objects (a governor made
# by one, a store callback of the other) must never meet. The usual cause
# is an adapter's shared library linked beside the internal core; link the
# adapter's `_internal` library instead, which goes with `hiveha_internal`.
# tests/layers runs it on a fixture that must be refused.

# hiveha_add_internal_adapter(<target> SOURCES <src>... LIBS <dep>...)
# The static library of an adapter that the tests link beside
# hiveha_internal. Compiled on its own with HIVEHA_STATIC: its objects
# neither export the adapter nor import the core from a DLL (Windows), as
# the shared adapter's objects do. Only with the tests.
function(hiveha_add_internal_adapter target)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT HIVEHA_BUILD_TESTS)
    return()
  endif()
  add_library(${target} STATIC ${A_SOURCES})
  target_compile_definitions(${target} PRIVATE HIVEHA_STATIC INTERFACE HIVEHA_STATIC)
  set_target_properties(${target} PROPERTIES C_VISIBILITY_PRESET hidden)
  target_include_directories(${target} PUBLIC
    ${PROJECT_SOURCE_DIR}/include ${CMAKE_CURRENT_SOURCE_DIR})
  target_link_libraries(${target} PUBLIC hiveha_internal ${A_LIBS}
    PRIVATE hiveha_strict_warnings)
endfunction()

# Appends to <out> the link closure of <target> (names, aliases resolved,
# generator expressions peeled where they only wrap a name).
function(_hh_link_closure target out)
  set(_seen ${${out}})
  set(_todo ${target})
  while(_todo)
    list(POP_FRONT _todo _t)
    if(NOT TARGET ${_t})
      continue()
    endif()
    get_target_property(_real ${_t} ALIASED_TARGET)
    if(_real)
      set(_t ${_real})
    endif()
    if(_t IN_LIST _seen)
      continue()
    endif()
    list(APPEND _seen ${_t})
    get_target_property(_type ${_t} TYPE)
    set(_deps "")
    if(NOT _type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(_l ${_t} LINK_LIBRARIES)
      if(_l)
        list(APPEND _deps ${_l})
      endif()
    endif()
    get_target_property(_il ${_t} INTERFACE_LINK_LIBRARIES)
    if(_il)
      list(APPEND _deps ${_il})
    endif()
    foreach(_d IN LISTS _deps)
      string(REGEX REPLACE "^\\$<LINK_ONLY:([^>]+)>$" "\\1" _d "${_d}")
      list(APPEND _todo "${_d}")
    endforeach()
  endwhile()
  set(${out} ${_seen} PARENT_SCOPE)
endfunction()

function(_hh_dir_targets dir out)
  get_property(_t DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(_subs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(_s IN LISTS _subs)
    _hh_dir_targets("${_s}" _more)
    list(APPEND _t ${_more})
  endforeach()
  set(${out} ${_t} PARENT_SCOPE)
endfunction()

function(hiveha_check_one_core)
  if(NOT TARGET hiveha OR NOT TARGET hiveha_internal)
    return()
  endif()
  get_target_property(_core_type hiveha TYPE)
  if(NOT _core_type STREQUAL "SHARED_LIBRARY")
    return() # two static archives of the same objects: the linker takes one
  endif()
  _hh_dir_targets("${CMAKE_CURRENT_SOURCE_DIR}" _targets)
  set(_bad "")
  foreach(_t IN LISTS _targets)
    set(_c "")
    _hh_link_closure(${_t} _c)
    if("hiveha" IN_LIST _c AND "hiveha_internal" IN_LIST _c)
      list(APPEND _bad ${_t})
    endif()
  endforeach()
  if(_bad)
    list(JOIN _bad ", " _list)
    message(FATAL_ERROR "one core: ${_list} link both hiveha_internal and the shared hiveha "
                        "(two copies of the core in one program; link the adapters' _internal "
                        "libraries instead, cmake/one_core.cmake)")
  endif()
  list(LENGTH _targets _n)
  message(STATUS "one core: ${_n} targets, none links two copies of the core")
endfunction()
