/*
 * notes.h - the SyncState text of one round (internal).
 *
 * A round that retries says the same things again and again ("cannot
 * connect ...", "attempt 3 of 20 failed ..."). Appending every one made
 * SyncState an unreadable line that only grew. Instead each distinct
 * message is kept once - messages that differ only in their numbers are
 * the same message - with its latest wording and how often it came, in
 * the order they last occurred, so the latest message is always last.
 */
#ifndef HH_NOTES_H
#define HH_NOTES_H

#include <stddef.h>
#include <stdint.h>

#define HH_NOTES_MAX 12
#define HH_NOTE_TEXT 320

typedef struct hh_note {
	uint64_t shape;       /* hash of the text with its digit runs left out */
	uint32_t count;
	char text[HH_NOTE_TEXT];
} hh_note;

typedef struct hh_notes {
	hh_note v[HH_NOTES_MAX];
	size_t n;
	uint64_t dropped;     /* oldest distinct messages that made room */
} hh_notes;

void hh_notes_clear(hh_notes *ns);
/* Records `line` as the latest message. */
void hh_notes_add(hh_notes *ns, const char *line);
/* "a; b (x3); latest", cut at the front when longer than `size` - 1. */
void hh_notes_render(const hh_notes *ns, char *out, size_t size);

#endif /* HH_NOTES_H */
