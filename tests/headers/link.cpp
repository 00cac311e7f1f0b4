// Links a C++ program against the C library through the public headers.
#include <hiveha/hiveha.h>

#include <cstdio>
#include <cstring>

int main()
{
	const char *linked = hiveha_version();
	std::printf("headers %s, library %s\n", HIVEHA_VERSION_STRING, linked);
	if (std::strcmp(linked, HIVEHA_VERSION_STRING) != 0 ||
	    hiveha_version_number() != HIVEHA_VERSION_NUMBER) {
		std::fprintf(stderr, "header and library versions differ\n");
		return 1;
	}
	if (hiveha_strerror(HIVEHA_EINVAL) == NULL) {
		return 1;
	}
	return 0;
}
