/*
 * Every _INIT macro must name every member of its struct: built with
 * -Wextra (-Wmissing-field-initializers) -Werror, a member appended to a
 * public struct without extending its _INIT macro fails the build.
 * Compiled as C here and as C++ by init_macros.cpp.
 */
#include <hiveha/hiveha.h>

hiveha_store hiveha_headertest_store = HIVEHA_STORE_INIT;
hiveha_transport hiveha_headertest_transport = HIVEHA_TRANSPORT_INIT;
hiveha_clock hiveha_headertest_clock = HIVEHA_CLOCK_INIT;
hiveha_governor_config hiveha_headertest_governor_config = HIVEHA_GOVERNOR_CONFIG_INIT;
hiveha_responder_config hiveha_headertest_responder_config = HIVEHA_RESPONDER_CONFIG_INIT;
hiveha_request hiveha_headertest_request = HIVEHA_REQUEST_INIT;
