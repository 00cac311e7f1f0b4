# check_layers.cmake - layers call down, never up (HACKING.md, layers).
#
#   cmake -DNM=<nm> -DOBJECTS_FILE=<file> [-DALLOW_FILE=<file>] [-DDOT=<file>]
#         -P tests/layers/check_layers.cmake
#
# OBJECTS_FILE lists object files, one per line. Each object is a node
# named after its source ("responder_ts.c", "protocol/json.c": the path
# after "<target>.dir/", without ".o"/".obj"). There is an edge a -> b
# when a uses an external symbol that b defines (`nm -g -P`). A cycle
# means two files need each other, so neither can be read, tested or
# changed alone.
#
# An edge is a *cycle edge* when it lies on a cycle (b reaches a back).
# The check passes only when the cycle edges are exactly the edges of
# ALLOW_FILE: a cycle edge not listed fails (with one cycle through it
# spelled out), and a listed edge that is gone or on no cycle any more
# fails as stale, so the list can only shrink to empty. ALLOW_FILE has one
# "a.c -> b.c" per line; '#' starts a comment.
#
# Without a usable nm it prints "layers: SKIPPED" and passes (the ctest
# test turns that into a skip). DOT writes the graph for Graphviz.

cmake_minimum_required(VERSION 3.16)

if(NM AND NOT IS_ABSOLUTE "${NM}")
  find_program(_nm_path NAMES "${NM}")
  set(NM "${_nm_path}")
endif()
if(NOT NM OR NOT EXISTS "${NM}")
  message("layers: SKIPPED: no nm (NM=\"${NM}\")")
  return()
endif()
if(NOT OBJECTS_FILE OR NOT EXISTS "${OBJECTS_FILE}")
  message(FATAL_ERROR "layers: OBJECTS_FILE \"${OBJECTS_FILE}\" does not exist")
endif()

file(STRINGS "${OBJECTS_FILE}" _objects)
if(NOT _objects)
  message(FATAL_ERROR "layers: ${OBJECTS_FILE} lists no object files")
endif()

# ---- nodes and symbols ------------------------------------------------------

set(_nodes "")
foreach(_obj IN LISTS _objects)
  if(NOT EXISTS "${_obj}")
    message(FATAL_ERROR "layers: ${_obj} does not exist (build first)")
  endif()
  string(REGEX REPLACE "^.*\\.dir/" "" _node "${_obj}")
  string(REGEX REPLACE "\\.(o|obj)$" "" _node "${_node}")
  list(APPEND _nodes "${_node}")
  set(_obj_of_${_node} "${_obj}")
endforeach()
list(SORT _nodes)
list(REMOVE_DUPLICATES _nodes)

foreach(_node IN LISTS _nodes)
  execute_process(COMMAND "${NM}" -g -P "${_obj_of_${_node}}"
    OUTPUT_VARIABLE _out ERROR_VARIABLE _err RESULT_VARIABLE _rc)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "layers: ${NM} failed on ${_obj_of_${_node}}: ${_err}")
  endif()
  string(REPLACE "\n" ";" _lines "${_out}")
  set(_uses_${_node} "")
  foreach(_line IN LISTS _lines)
    # POSIX format: "name type [value [size]]"
    if(NOT _line MATCHES "^([^ ]+) ([A-Za-z?-]) ?")
      continue()
    endif()
    set(_sym "${CMAKE_MATCH_1}")
    set(_type "${CMAKE_MATCH_2}")
    if(_type MATCHES "^[Uwv]$")
      list(APPEND _uses_${_node} "${_sym}")
    else()
      list(APPEND _def_${_sym} "${_node}")
    endif()
  endforeach()
endforeach()

# ---- edges ------------------------------------------------------------------

set(_edge_count 0)
foreach(_a IN LISTS _nodes)
  set(_succ_${_a} "")
  foreach(_sym IN LISTS _uses_${_a})
    foreach(_b IN LISTS _def_${_sym})
      if(NOT _b STREQUAL _a)
        if(NOT DEFINED _via_${_a}+${_b})
          list(APPEND _succ_${_a} "${_b}")
          math(EXPR _edge_count "${_edge_count} + 1")
        endif()
        list(APPEND _via_${_a}+${_b} "${_sym}")
      endif()
    endforeach()
  endforeach()
  list(SORT _succ_${_a})
endforeach()

# ---- reachability: one breadth-first search per node ------------------------
# _par_<s>+<n> is n's predecessor on a shortest path from s; defined iff s
# reaches n.

foreach(_s IN LISTS _nodes)
  set(_queue "${_s}")
  set(_par_${_s}+${_s} "-")
  while(_queue)
    list(POP_FRONT _queue _n)
    foreach(_m IN LISTS _succ_${_n})
      if(NOT DEFINED _par_${_s}+${_m})
        set(_par_${_s}+${_m} "${_n}")
        list(APPEND _queue "${_m}")
      endif()
    endforeach()
  endwhile()
endforeach()

# "a -> b -> ... -> a": the edge a -> b, then the shortest path back.
function(_cycle_through a b out)
  set(_path "")
  set(_n "${a}")
  while(NOT _n STREQUAL b)
    list(PREPEND _path "${_n}")
    set(_n "${_par_${b}+${_n}}")
  endwhile()
  list(PREPEND _path "${a}" "${b}")
  list(JOIN _path " -> " _text)
  set(${out} "${_text}" PARENT_SCOPE)
endfunction()

function(_symbols a b out)
  set(_syms ${_via_${a}+${b}})
  list(REMOVE_DUPLICATES _syms)
  list(SORT _syms)
  list(LENGTH _syms _n)
  if(_n GREATER 3)
    list(SUBLIST _syms 0 3 _syms)
    math(EXPR _more "${_n} - 3")
    list(APPEND _syms "${_more} more")
  endif()
  list(JOIN _syms ", " _text)
  set(${out} "${_text}" PARENT_SCOPE)
endfunction()

set(_cycle_edges "")
foreach(_a IN LISTS _nodes)
  foreach(_b IN LISTS _succ_${_a})
    if(DEFINED _par_${_b}+${_a})
      list(APPEND _cycle_edges "${_a} -> ${_b}")
    endif()
  endforeach()
endforeach()

# Files that need each other, one group per strongly connected component:
# s and m are in one group when each reaches the other.
set(_groups "")
foreach(_s IN LISTS _nodes)
  if(DEFINED _group_of_${_s})
    continue()
  endif()
  set(_members "${_s}")
  foreach(_m IN LISTS _nodes)
    if(NOT _m STREQUAL _s AND DEFINED _par_${_s}+${_m} AND DEFINED _par_${_m}+${_s})
      list(APPEND _members "${_m}")
      set(_group_of_${_m} "${_s}")
    endif()
  endforeach()
  list(LENGTH _members _size)
  if(_size GREATER 1)
    list(JOIN _members " " _text)
    string(APPEND _groups "  files that need each other: ${_text}\n")
  endif()
endforeach()

# ---- the allow-list -----------------------------------------------------------

set(_allowed "")
if(ALLOW_FILE)
  if(NOT EXISTS "${ALLOW_FILE}")
    message(FATAL_ERROR "layers: ALLOW_FILE \"${ALLOW_FILE}\" does not exist")
  endif()
  file(STRINGS "${ALLOW_FILE}" _allow_lines)
  foreach(_line IN LISTS _allow_lines)
    string(REGEX REPLACE "#.*$" "" _line "${_line}")
    string(STRIP "${_line}" _line)
    if(_line STREQUAL "")
      continue()
    endif()
    if(NOT _line MATCHES "^([^ ]+) +-> +([^ ]+)$")
      message(FATAL_ERROR "layers: ${ALLOW_FILE}: \"${_line}\" is not \"a.c -> b.c\"")
    endif()
    list(APPEND _allowed "${CMAKE_MATCH_1} -> ${CMAKE_MATCH_2}")
  endforeach()
endif()

# ---- verdict --------------------------------------------------------------------

set(_problems "")
set(_new 0)
set(_stale 0)
foreach(_e IN LISTS _cycle_edges)
  if(NOT _e IN_LIST _allowed)
    string(REGEX MATCH "^(.*) -> (.*)$" _match "${_e}")
    set(_a "${CMAKE_MATCH_1}")
    set(_b "${CMAKE_MATCH_2}")
    _cycle_through("${_a}" "${_b}" _cyc)
    _symbols("${_a}" "${_b}" _syms)
    string(APPEND _problems "  cycle edge ${_e} (uses ${_syms})\n    cycle: ${_cyc}\n")
    math(EXPR _new "${_new} + 1")
  endif()
endforeach()
foreach(_e IN LISTS _allowed)
  if(NOT _e IN_LIST _cycle_edges)
    string(REGEX MATCH "^(.*) -> (.*)$" _match "${_e}")
    if(DEFINED _via_${CMAKE_MATCH_1}+${CMAKE_MATCH_2})
      set(_why "the edge is on no cycle any more")
    else()
      set(_why "the edge is gone")
    endif()
    string(APPEND _problems "  stale allow-list entry ${_e}: ${_why}; remove it\n")
    math(EXPR _stale "${_stale} + 1")
  endif()
endforeach()

if(DOT)
  set(_dot "digraph layers {\n  rankdir=BT;\n  node [shape=box, fontsize=10];\n")
  foreach(_a IN LISTS _nodes)
    foreach(_b IN LISTS _succ_${_a})
      set(_attr "")
      if("${_a} -> ${_b}" IN_LIST _cycle_edges)
        set(_attr " [color=red]")
      endif()
      string(APPEND _dot "  \"${_a}\" -> \"${_b}\"${_attr};\n")
    endforeach()
  endforeach()
  string(APPEND _dot "}\n")
  file(WRITE "${DOT}" "${_dot}")
endif()

list(LENGTH _nodes _node_count)
list(LENGTH _cycle_edges _cycle_count)
list(LENGTH _allowed _allowed_count)
set(_summary "layers: ${_node_count} files, ${_edge_count} edges, ${_cycle_count} on a cycle (${_allowed_count} allowed)")
if(_problems)
  # plain message(): the report without CMake's "CMake Error at" framing
  message("${_groups}${_problems}")
  message(FATAL_ERROR "${_summary}: ${_new} not allowed, ${_stale} stale")
endif()
message("${_summary}: ok")
