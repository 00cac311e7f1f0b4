/*
 * notes.c - SyncState as distinct messages with counts (notes.h).
 */
#include "notes.h"
#include "hash.h"

#include <stdio.h>
#include <string.h>

void hh_notes_clear(hh_notes *ns)
{
	memset(ns, 0, sizeof(*ns));
}

/* A hash of the text with every run of digits counted as one '#' (XXH3
 * fed run by run). It only groups messages for display; a collision merges
 * two lines. */
static uint64_t shape_of(const char *s)
{
	XXH3_state_t st;

	XXH3_INITSTATE(&st);
	XXH3_64bits_reset(&st);
	while (*s) {
		size_t n = 0;

		if (*s >= '0' && *s <= '9') {
			while (s[n] >= '0' && s[n] <= '9')
				n++;
			XXH3_64bits_update(&st, "#", 1);
		} else {
			while (s[n] && !(s[n] >= '0' && s[n] <= '9'))
				n++;
			XXH3_64bits_update(&st, s, n);
		}
		s += n;
	}
	return (uint64_t)XXH3_64bits_digest(&st);
}

void hh_notes_add(hh_notes *ns, const char *line)
{
	uint64_t shape = shape_of(line);
	hh_note cur;
	size_t i;

	memset(&cur, 0, sizeof(cur));
	cur.shape = shape;
	cur.count = 1;
	for (i = 0; i < ns->n; i++) {
		if (ns->v[i].shape == shape) {
			cur.count = ns->v[i].count < UINT32_MAX ? ns->v[i].count + 1 : UINT32_MAX;
			memmove(&ns->v[i], &ns->v[i + 1], (ns->n - i - 1) * sizeof(ns->v[0]));
			ns->n--;
			break;
		}
	}
	if (ns->n == HH_NOTES_MAX) {
		memmove(&ns->v[0], &ns->v[1], (ns->n - 1) * sizeof(ns->v[0]));
		ns->n--;
		ns->dropped++;
	}
	(void)snprintf(cur.text, sizeof(cur.text), "%s", line); /* a longer line is cut, on purpose */
	ns->v[ns->n++] = cur;
}

void hh_notes_render(const hh_notes *ns, char *out, size_t size)
{
	size_t first = 0, len, i;

	if (!size)
		return;
	out[0] = '\0';
	/* Keep the newest: leave out old messages until the rest fits. */
	for (;;) {
		len = first || ns->dropped ? 5 : 0; /* "...; " */
		for (i = first; i < ns->n; i++) {
			len += strlen(ns->v[i].text) + (i > first ? 2 : 0);
			if (ns->v[i].count > 1)
				len += (size_t)snprintf(NULL, 0, " (x%u)", (unsigned)ns->v[i].count);
		}
		if (len < size || first + 1 >= ns->n)
			break;
		first++;
	}
	len = 0;
	if (first || ns->dropped)
		len += (size_t)snprintf(out, size, "...; ");
	for (i = first; i < ns->n && len < size; i++) {
		const char *sep = i > first ? "; " : "";

		if (ns->v[i].count > 1)
			len += (size_t)snprintf(out + len, size - len, "%s%s (x%u)", sep, ns->v[i].text,
			                        (unsigned)ns->v[i].count);
		else
			len += (size_t)snprintf(out + len, size - len, "%s%s", sep, ns->v[i].text);
	}
}
