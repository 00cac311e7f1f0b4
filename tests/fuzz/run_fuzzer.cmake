# Runs one libFuzzer target for a bounded time over a scratch copy of its
# checked-in seed corpus (the fuzzer adds inputs to the copy, never to the
# source tree). Usage: cmake -DFUZZER=.. -DCORPUS=.. -DWORK=.. -DSECONDS=.. -P run_fuzzer.cmake
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB _seeds ${CORPUS}/*)
if(_seeds)
  file(COPY ${_seeds} DESTINATION ${WORK}/corpus)
endif()
execute_process(
  COMMAND ${FUZZER} -max_total_time=${SECONDS} -rss_limit_mb=2048 -timeout=20
          -max_len=65536 -print_final_stats=1 -artifact_prefix=${WORK}/ ${WORK}/corpus
  RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${_rc}); the crashing input is in ${WORK}/")
endif()
