/* SPDX-License-Identifier: GPL-2.0 */
/*
 * events.h - event names of the active PMU (lib/events.c, needs libpfm4)
 */
#ifndef _PFMON_EVENTS_H
#define _PFMON_EVENTS_H

#include "libpfmon.h"

/**
 * struct pfmon_event - an event resolved for the active PMU
 * @name: its canonical name (libpfm4's, the software PMU's, or rHEX)
 * @code: its code: software PMU event select, or PMUv3 event number
 * @plm: privilege levels it counts (PFMON_PLM_*)
 */
struct pfmon_event {
	char		name[64];
	__u64		code;
	unsigned int	plm;
};

/**
 * typedef pfmon_event_fn - called for each known event
 * @name: event name
 * @code: event code
 * @desc: description, may be NULL
 * @arg: the caller's argument
 *
 * Return: 0 to go on.
 */
typedef int (*pfmon_event_fn)(const char *name, __u64 code, const char *desc,
			      void *arg);

int pfmon_events_init(const struct pfmon_pmu *pmu, char *why, size_t len);
const char *pfmon_events_table(void);
int pfmon_events_for_each(const struct pfmon_pmu *pmu, pfmon_event_fn fn,
			  void *arg);
void pfmon_events_closest(const struct pfmon_pmu *pmu, const char *want,
			  char *buf, size_t len);
int pfmon_event_parse(const struct pfmon_pmu *pmu, const char *str,
		      unsigned int dfl_plm, struct pfmon_event *ev, char *why,
		      size_t len);
int pfmon_events_assign(const struct pfmon_pmu *pmu,
			const struct pfmon_event *ev, int n, unsigned int set,
			struct pfmon_counter *c, char *why, size_t len);
int pfmon_event_supported(const struct pfmon_pmu *pmu, __u64 code);
const char *pfmon_events_default(const struct pfmon_pmu *pmu);
const char *pfmon_events_sample_default(const struct pfmon_pmu *pmu);

#endif /* _PFMON_EVENTS_H */
