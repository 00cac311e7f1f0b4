# check_api_docs.cmake - fails when the API reference drifts from the headers.
#
#   cmake -DSOURCE_DIR=<repo> [-DDOCS_DIR=<dir>] -P check_api_docs.cmake
#
# (a) Every public symbol of include/hiveha/*.h - functions declared with an
#     export macro, typedef names, enum constants and #defines (without the
#     include guards HIVEHA_*_H and helper macros ending in '_') - must be
#     mentioned in a docs page other than docs/api/index.md, have a row in
#     docs/api/index.md, and that row's link must lead to a page that
#     mentions it. Index rows naming a symbol that no header declares fail
#     too (a rename would otherwise leave a dead entry).
# (b) Every "<!-- example: examples/api/NAME.c -->" marker in docs/api/*.md
#     must be followed by a ```c block equal to that file, and every
#     examples/api/*.c must be included by some page.
# All problems are listed, then the script fails once.

cmake_minimum_required(VERSION 3.25)

if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repo> [-DDOCS_DIR=<dir>] -P check_api_docs.cmake")
endif()
if(NOT DOCS_DIR)
  set(DOCS_DIR ${SOURCE_DIR}/docs)
endif()
set(_problems "")
macro(problem text)
  list(APPEND _problems "${text}")
endmacro()

# ---- (a) the symbols -------------------------------------------------------

set(_functions "")
set(_types "")
set(_constants "")
set(_macros "")
file(GLOB _headers ${SOURCE_DIR}/include/hiveha/*.h)
list(SORT _headers)
if(NOT _headers)
  message(FATAL_ERROR "no headers in ${SOURCE_DIR}/include/hiveha")
endif()
foreach(_h IN LISTS _headers)
  file(READ ${_h} _src)
  # Semicolons would split CMake lists: make them '@' (absent from the
  # headers' code once comments are gone).
  string(REPLACE ";" "@" _src "${_src}")
  string(REPLACE "\\\n" " " _src "${_src}")                    # line continuations
  string(REGEX REPLACE "/\\*([^*]|\\*+[^*/])*\\*+/" " " _src "${_src}")  # /* comments */
  string(REGEX REPLACE "//[^\n]*" "" _src "${_src}")

  # #defines
  string(REGEX MATCHALL "#[ \t]*define[ \t]+[A-Za-z_][A-Za-z0-9_]*" _defs "${_src}")
  foreach(_d IN LISTS _defs)
    string(REGEX REPLACE "^#[ \t]*define[ \t]+" "" _d "${_d}")
    if(_d MATCHES "^HIVEHA_[A-Z0-9_]*_H$" OR _d MATCHES "_$")
      continue()
    endif()
    list(APPEND _macros ${_d})
  endforeach()

  # Everything below looks at declarations only.
  string(REGEX REPLACE "(^|\n)[ \t]*#[^\n]*" "\n" _code "${_src}")

  # functions: <export macro> ... name(
  string(REGEX MATCHALL "HIVEHA(_HTTP|_SQLITE)?_API[^@(){}]*[ \t\n*][A-Za-z_][A-Za-z0-9_]*[ \t\n]*\\("
         _decls "${_code}")
  foreach(_d IN LISTS _decls)
    string(REGEX REPLACE ".*[ \t\n*]([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\\($" "\\1" _name "${_d}")
    list(APPEND _functions ${_name})
  endforeach()

  # typedefs: replace brace bodies, innermost first, by a word so that
  # each typedef becomes one flat "typedef ... name@"
  set(_flat "${_code}")
  while(TRUE)
    string(REGEX REPLACE "{[^{}]*}" " BODY " _next "${_flat}")
    if(_next STREQUAL _flat)
      break()
    endif()
    set(_flat "${_next}")
  endwhile()
  string(REGEX MATCHALL "typedef[^@]*@" _typedefs "${_flat}")
  foreach(_t IN LISTS _typedefs)
    if(_t MATCHES "\\([ \t\n]*\\*[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\\)")
      list(APPEND _types ${CMAKE_MATCH_1})        # function type
    elseif(_t MATCHES "([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*@$")
      list(APPEND _types ${CMAKE_MATCH_1})        # struct, enum, plain
    endif()
  endforeach()

  # enum constants: the names in each enum body, initialisers removed
  string(REGEX MATCHALL "enum[ \t\n]*[A-Za-z0-9_]*[ \t\n]*{[^{}]*}" _enums "${_code}")
  foreach(_e IN LISTS _enums)
    string(REGEX REPLACE "^[^{]*{" "" _body "${_e}")
    string(REGEX REPLACE "=[^,}]*" "" _body "${_body}")
    string(REGEX MATCHALL "[A-Za-z_][A-Za-z0-9_]*" _names "${_body}")
    list(APPEND _constants ${_names})
  endforeach()
endforeach()
list(REMOVE_DUPLICATES _functions)
list(REMOVE_DUPLICATES _types)
list(REMOVE_DUPLICATES _constants)
list(REMOVE_DUPLICATES _macros)
set(_symbols ${_functions} ${_types} ${_constants} ${_macros})
list(REMOVE_DUPLICATES _symbols)
list(LENGTH _functions _nf)
list(LENGTH _types _nt)
list(LENGTH _constants _nc)
list(LENGTH _macros _nm)
message(STATUS "public symbols: ${_nf} functions, ${_nt} types, ${_nc} enum constants, ${_nm} macros")
# A parser that found nothing would pass everything: refuse that.
if(_nf LESS 10 OR _nt LESS 10 OR _nc LESS 10 OR _nm LESS 10)
  message(FATAL_ERROR "suspiciously few symbols extracted; is the parser broken?")
endif()

# ---- the docs ----------------------------------------------------------------

# A word boundary for CMake regexes, which have no \b.
set(_pre "(^|[^A-Za-z0-9_])")
set(_post "([^A-Za-z0-9_]|$)")

file(GLOB_RECURSE _pages ${DOCS_DIR}/*.md)
list(SORT _pages)
set(_index ${DOCS_DIR}/api/index.md)
if(NOT EXISTS ${_index})
  message(FATAL_ERROR "${_index} is missing")
endif()
set(_all "")
foreach(_p IN LISTS _pages)
  if(NOT _p STREQUAL _index)
    file(READ ${_p} _text)
    string(APPEND _all "\n${_text}")
  endif()
endforeach()
string(REPLACE ";" "@" _all "${_all}")
file(READ ${_index} _index_text)
string(REPLACE ";" "@" _index_text "${_index_text}")

foreach(_s IN LISTS _symbols)
  if(NOT _all MATCHES "${_pre}${_s}${_post}")
    problem("${_s}: not mentioned in any docs page (docs/api/index.md does not count)")
  endif()
  # The index row: [`SYMBOL`](page.md#anchor) or [`SYMBOL()`](...)
  if(NOT _index_text MATCHES "\\[`${_s}(\\(\\))?`\\]\\(([^)#]+)[^)]*\\)")
    problem("${_s}: no [`${_s}`](page.md) link in docs/api/index.md")
    continue()
  endif()
  set(_link ${CMAKE_MATCH_2})  # the next if(MATCHES) resets CMAKE_MATCH_*
  set(_target ${DOCS_DIR}/api/${_link})
  if(NOT EXISTS ${_target})
    problem("${_s}: docs/api/index.md links it to ${_link}, which does not exist")
    continue()
  endif()
  file(READ ${_target} _t)
  string(REPLACE ";" "@" _t "${_t}")
  if(NOT _t MATCHES "${_pre}${_s}${_post}")
    problem("${_s}: docs/api/index.md links it to ${_link}, which does not mention it")
  endif()
endforeach()

# Stale index rows: a linked `hiveha_*` / `HIVEHA_*` that no header declares.
string(REGEX MATCHALL "\\[`[Hh][Ii][Vv][Ee][Hh][Aa]_[A-Za-z0-9_]*(\\(\\))?`\\]" _listed "${_index_text}")
foreach(_l IN LISTS _listed)
  string(REGEX REPLACE "^\\[`([A-Za-z0-9_]*).*" "\\1" _l "${_l}")
  list(FIND _symbols ${_l} _at)
  if(_at EQUAL -1)
    problem("${_l}: listed in docs/api/index.md but declared in no public header")
  endif()
endforeach()

# ---- (b) the examples --------------------------------------------------------

file(GLOB _examples RELATIVE ${SOURCE_DIR}/examples/api ${SOURCE_DIR}/examples/api/*.c)
set(_included "")
file(GLOB _api_pages ${DOCS_DIR}/api/*.md)
list(SORT _api_pages)
foreach(_p IN LISTS _api_pages)
  file(READ ${_p} _text)
  get_filename_component(_pname ${_p} NAME)
  string(REGEX MATCHALL "<!-- example: examples/api/[A-Za-z0-9_-]+\\.c -->" _markers "${_text}")
  foreach(_m IN LISTS _markers)
    string(REGEX REPLACE "<!-- example: examples/api/([A-Za-z0-9_-]+\\.c) -->" "\\1" _file "${_m}")
    list(APPEND _included ${_file})
    set(_path ${SOURCE_DIR}/examples/api/${_file})
    if(NOT EXISTS ${_path})
      problem("docs/api/${_pname}: includes examples/api/${_file}, which does not exist")
      continue()
    endif()
    file(READ ${_path} _code)
    string(FIND "${_text}" "${_m}\n```c\n${_code}```\n" _at)
    if(_at EQUAL -1)
      problem("docs/api/${_pname}: the code block after ${_m} differs from examples/api/${_file} (copy the file into the block verbatim)")
    endif()
  endforeach()
endforeach()
foreach(_e IN LISTS _examples)
  list(FIND _included ${_e} _at)
  if(_at EQUAL -1)
    problem("examples/api/${_e}: not included by any docs/api page")
  endif()
endforeach()

list(LENGTH _problems _n)
if(_n GREATER 0)
  foreach(_p IN LISTS _problems)
    message("  ${_p}")
  endforeach()
  message(FATAL_ERROR "${_n} API documentation problem(s), listed above")
endif()
list(LENGTH _symbols _total)
message(STATUS "all ${_total} public symbols are documented; every example block matches its file")
