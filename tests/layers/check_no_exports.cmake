# check_no_exports.cmake - a test program exports nothing (Windows).
#
#   cmake -DOBJDUMP=<objdump> -DFILE=<program.exe> -P check_no_exports.cmake
#
# A program linked with the internal static core must not carry an export
# table: objects compiled for the DLL (dllexport) would make every test
# program re-export the core (lib/CMakeLists.txt, hiveha_internal).
execute_process(COMMAND "${OBJDUMP}" -p "${FILE}" OUTPUT_VARIABLE _out RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "exports: ${OBJDUMP} -p ${FILE} failed (${_rc})")
endif()
if(_out MATCHES "There is an export table")
  message(FATAL_ERROR "exports: ${FILE} has an export table (objdump -p shows it)")
endif()
message("exports: ${FILE}: none: ok")
