/*
 * version.c - the version of the library actually linked, which may differ
 * from the headers a host was compiled against.
 */
#include <hiveha/version.h>

const char *hiveha_version(void)
{
	return HIVEHA_VERSION_STRING;
}

int hiveha_version_number(void)
{
	return HIVEHA_VERSION_NUMBER;
}
