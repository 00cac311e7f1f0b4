# Installation and export of libhiveha (included at the end of the top-level
# CMakeLists.txt, after every target exists).
#
# What a consumer gets:
#   CMake:      find_package(hiveha [COMPONENTS sqlite http])
#               -> hiveha::hiveha, hiveha::sqlite, hiveha::http
#   pkg-config: hiveha, hiveha-sqlite, hiveha-http
#
# Adapters are handled generically (hiveha_install_adapter below): an adapter
# helper only creates its target and its pkgconfig/<name>.pc.in. A .pc.in can
# use these @VARIABLES@:
#   @prefix@ @exec_prefix@ @libdir@ @includedir@   (libdir/includedir are
#       written as ${prefix}/... so the file stays correct after relocation)
#   @PROJECT_VERSION@ @PROJECT_DESCRIPTION@ @HIVEHA_PC_OUTPUT_NAME@ (the
#       library name for -l, e.g. hiveha-sqlite)
# The .pc files are generated at *install* time, so `cmake --install
# --prefix P` (and DESTDIR) get a prefix that matches where the files went.

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HIVEHA_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/hiveha"
    CACHE STRING "Where hivehaConfig.cmake is installed (relative to the prefix)")
mark_as_advanced(HIVEHA_INSTALL_CMAKEDIR)

# The adapters' public headers are installed with their adapter only.
set(_hh_adapter_headers ${HIVEHA_ADAPTER_HEADERS})

# hiveha_install_pkgconfig(<in-file> <name> <output-name>)
# Two passes: at configure time every @VAR@ except the prefix is filled in;
# at install time the prefix that is really used is.
function(hiveha_install_pkgconfig in_file name output_name)
  set(prefix "@CMAKE_INSTALL_PREFIX@")
  set(exec_prefix "\${prefix}")
  foreach(_kind libdir includedir)
    string(TOUPPER ${_kind} _k)
    if(IS_ABSOLUTE "${CMAKE_INSTALL_${_k}}")
      set(${_kind} "${CMAKE_INSTALL_${_k}}")
    else()
      set(${_kind} "\${prefix}/${CMAKE_INSTALL_${_k}}")
    endif()
  endforeach()
  set(HIVEHA_PC_OUTPUT_NAME ${output_name})
  # A static library's users must not see dllimport (Windows; harmless
  # elsewhere): the core's .pc says so for a static core, an adapter's for
  # static adapters.
  # Its private dependencies become public ones: the consumer links them
  # (shared, as the system has them) without `pkg-config --static`, which
  # would ask for static copies of curl's whole tree. (Two Requires / Libs
  # lines: pkgconf, Debian's pkg-config, merges them.)
  set(HIVEHA_PC_CFLAGS "")
  set(HIVEHA_PC_REQUIRES_PRIVATE "Requires.private")
  set(HIVEHA_PC_LIBS_PRIVATE "Libs.private")
  if((name STREQUAL "hiveha" AND HIVEHA_STATIC_CORE) OR
     (NOT name STREQUAL "hiveha" AND HIVEHA_STATIC_ADAPTERS))
    set(HIVEHA_PC_CFLAGS " -DHIVEHA_STATIC")
    set(HIVEHA_PC_REQUIRES_PRIVATE "Requires")
    set(HIVEHA_PC_LIBS_PRIVATE "Libs")
  endif()
  set(_tmpl "${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc.tmpl")
  set(_out "${PROJECT_BINARY_DIR}/pkgconfig/${name}.pc")
  configure_file("${in_file}" "${_tmpl}" @ONLY)
  install(CODE "configure_file(\"${_tmpl}\" \"${_out}\" @ONLY)" COMPONENT dev)
  install(FILES "${_out}" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig" COMPONENT dev)
endfunction()

# ---- the core ------------------------------------------------------------

# HIVEHA_CORE_HEADERS: the top-level CMakeLists.txt.
list(TRANSFORM HIVEHA_CORE_HEADERS PREPEND "${PROJECT_SOURCE_DIR}/include/hiveha/"
  OUTPUT_VARIABLE _hh_public_headers)

install(TARGETS hiveha EXPORT hivehaTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES ${_hh_public_headers}
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hiveha COMPONENT dev)
install(EXPORT hivehaTargets NAMESPACE hiveha::
  FILE hivehaTargets.cmake
  DESTINATION ${HIVEHA_INSTALL_CMAKEDIR} COMPONENT dev)
get_target_property(_hh_core_output hiveha OUTPUT_NAME)
if(NOT _hh_core_output)
  set(_hh_core_output hiveha)
endif()
hiveha_install_pkgconfig("${PROJECT_SOURCE_DIR}/pkgconfig/hiveha.pc.in" hiveha ${_hh_core_output})

# ---- adapters --------------------------------------------------------------

# hiveha_install_adapter(<component> <target> <export-set> <header> <pc-name>)
# Installs an adapter library when its target exists: its own export set
# (one hiveha<Component>Targets.cmake each, so hivehaConfig.cmake can load
# exactly the components asked for), its header and its .pc file.
function(hiveha_install_adapter component target export_set header pc_name)
  if(NOT TARGET ${target})
    return()
  endif()
  install(TARGETS ${target} EXPORT ${export_set}
    LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT dev
    ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
    INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(EXPORT ${export_set} NAMESPACE hiveha::
    FILE ${export_set}.cmake
    DESTINATION ${HIVEHA_INSTALL_CMAKEDIR} COMPONENT dev)
  set(_hdr "${PROJECT_SOURCE_DIR}/include/hiveha/${header}")
  if(EXISTS "${_hdr}")
    install(FILES "${_hdr}" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/hiveha COMPONENT dev)
  else()
    message(WARNING "hiveha: adapter ${target} (component ${component}) has no public header include/hiveha/${header}")
  endif()
  get_target_property(_output ${target} OUTPUT_NAME)
  if(NOT _output)
    set(_output ${target})
  endif()
  set(_pc_in "${PROJECT_SOURCE_DIR}/pkgconfig/${pc_name}.pc.in")
  if(EXISTS "${_pc_in}")
    hiveha_install_pkgconfig("${_pc_in}" ${pc_name} ${_output})
  else()
    message(WARNING "hiveha: adapter ${target} (component ${component}) has no pkgconfig/${pc_name}.pc.in; pkg-config users cannot find it")
  endif()
endfunction()

hiveha_install_adapter(sqlite hiveha_sqlite hivehaSqliteTargets sqlite.h hiveha-sqlite)
hiveha_install_adapter(http hiveha_http hivehaHttpTargets http.h hiveha-http)

# ---- package config ----------------------------------------------------------

# A shared core links cJSON and threads privately: consumers need neither.
# Only a static core makes hivehaConfig.cmake look them up.
get_target_property(HIVEHA_CORE_TYPE hiveha TYPE)

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/hivehaConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/cmake/hivehaConfig.cmake"
  INSTALL_DESTINATION ${HIVEHA_INSTALL_CMAKEDIR})
# SameMajorVersion matches the ABI policy: SOVERSION = major.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/cmake/hivehaConfigVersion.cmake"
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/cmake/hivehaConfig.cmake"
  "${PROJECT_BINARY_DIR}/cmake/hivehaConfigVersion.cmake"
  DESTINATION ${HIVEHA_INSTALL_CMAKEDIR} COMPONENT dev)
