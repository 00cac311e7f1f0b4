# cmake/toolchain-mingw64.cmake - cross-compiling libhiveha for 64-bit
# Windows with Debian's mingw-w64, tests run under wine.
#
#   cmake -S . -B build-win -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-mingw64.cmake \
#         -DHIVEHA_MINGW_SYSROOT=$PWD/build-win/sysroot
#
# The sysroot holds the cross-built dependencies (.ci/windows/sysroot.sh).
# pkg-config and find_* are confined to it: a toolchain that sees the
# host's .pc files or /usr/include "finds" Linux libraries and fails only
# at link time, or worse, compiles against glibc headers.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(_hh_triplet x86_64-w64-mingw32)

find_program(CMAKE_C_COMPILER NAMES ${_hh_triplet}-gcc REQUIRED)
find_program(CMAKE_CXX_COMPILER NAMES ${_hh_triplet}-g++)
find_program(CMAKE_RC_COMPILER NAMES ${_hh_triplet}-windres)

# The toolchain file is read again in every try_compile project: pass the
# sysroot down to them instead of recomputing it.
if(NOT HIVEHA_MINGW_SYSROOT AND DEFINED ENV{HIVEHA_MINGW_SYSROOT})
  set(HIVEHA_MINGW_SYSROOT "$ENV{HIVEHA_MINGW_SYSROOT}")
endif()
if(NOT HIVEHA_MINGW_SYSROOT)
  set(HIVEHA_MINGW_SYSROOT "${CMAKE_BINARY_DIR}/sysroot")
endif()
set(HIVEHA_MINGW_SYSROOT "${HIVEHA_MINGW_SYSROOT}" CACHE PATH
    "Cross-built dependencies (.ci/windows/sysroot.sh)")
set(ENV{HIVEHA_MINGW_SYSROOT} "${HIVEHA_MINGW_SYSROOT}")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES HIVEHA_MINGW_SYSROOT)

set(CMAKE_FIND_ROOT_PATH /usr/${_hh_triplet} ${HIVEHA_MINGW_SYSROOT})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config: only the sysroot's .pc files (LIBDIR replaces the default
# search path, PATH would only add to it). Its .pc files carry absolute
# prefixes, so no PKG_CONFIG_SYSROOT_DIR. Static libraries: --static, so
# Libs.private (ws2_32, crypt32, ...) are linked too.
set(ENV{PKG_CONFIG_LIBDIR} "${HIVEHA_MINGW_SYSROOT}/lib/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")
unset(ENV{PKG_CONFIG_SYSROOT_DIR})
set(PKG_CONFIG_ARGN --static CACHE STRING "pkg-config arguments")

# No libgcc_s_seh-1.dll / libwinpthread-1.dll beside every executable.
set(CMAKE_EXE_LINKER_FLAGS_INIT "-static-libgcc -static")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-static-libgcc -static")

# ctest runs the test executables through wine; the wrapper puts the
# build tree's DLL folders on WINEPATH and uses a private WINEPREFIX.
find_program(HIVEHA_WINE NAMES wine64 wine)
if(HIVEHA_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${CMAKE_CURRENT_LIST_DIR}/../.ci/windows/wine-run.sh;${CMAKE_BINARY_DIR}")
endif()
