/*
 * scratchdir.c - see scratchdir.h.
 */
#if !defined(_WIN32)
#  define _XOPEN_SOURCE 700
#endif

#include "scratchdir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(_WIN32)
#  define WIN32_LEAN_AND_MEAN
#  include <windows.h>

int scratchdir_make(char *buf, size_t size, const char *tag)
{
	char tmp[MAX_PATH];
	DWORD n = GetTempPathA(sizeof(tmp), tmp);
	unsigned attempt;

	for (attempt = 0; n && n < sizeof(tmp) && attempt < 100; attempt++) {
		int len = snprintf(buf, size, "%shiveha-%s-%lu-%u-%u", tmp, tag,
		                   (unsigned long)GetCurrentProcessId(), (unsigned)GetTickCount(), attempt);

		if (len < 0 || (size_t)len >= size)
			break;
		if (CreateDirectoryA(buf, NULL))
			return 0;
		if (GetLastError() != ERROR_ALREADY_EXISTS)
			break;
	}
	if (size)
		buf[0] = '\0';
	return -1;
}

void scratchdir_remove(const char *dir)
{
	char pattern[MAX_PATH], path[MAX_PATH];
	WIN32_FIND_DATAA fd;
	HANDLE h;

	if (snprintf(pattern, sizeof(pattern), "%s\\*", dir) >= (int)sizeof(pattern))
		return;
	h = FindFirstFileA(pattern, &fd);
	if (h != INVALID_HANDLE_VALUE) {
		do {
			if (strcmp(fd.cFileName, ".") == 0 || strcmp(fd.cFileName, "..") == 0)
				continue;
			if (snprintf(path, sizeof(path), "%s\\%s", dir, fd.cFileName) >= (int)sizeof(path))
				continue;
			if (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
				scratchdir_remove(path);
			else
				DeleteFileA(path);
		} while (FindNextFileA(h, &fd));
		FindClose(h);
	}
	RemoveDirectoryA(dir);
}

#else
#  include <ftw.h>
#  include <stdlib.h>

int scratchdir_make(char *buf, size_t size, const char *tag)
{
	const char *tmp = getenv("TMPDIR");
	int len = snprintf(buf, size, "%s/hiveha-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag);

	if (len < 0 || (size_t)len >= size || !mkdtemp(buf)) {
		if (size)
			buf[0] = '\0';
		return -1;
	}
	return 0;
}

static int rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void scratchdir_remove(const char *dir)
{
	nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
}
#endif
