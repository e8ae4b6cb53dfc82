// SPDX-License-Identifier: GPL-2.0
/*
 * perfmon: which call is allowed in which context state.
 *
 * One table, after perfmon2's: a call either proceeds or fails with the
 * errno of its row for the context's state. Whether the caller may touch
 * the monitored thread is checked separately (pfm_check_target()).
 */
#include <linux/nospec.h>

#include "internal.h"

#define PFM_NR_STATES	(PFM_CTX_ZOMBIE + 1)

/*
 * Errors by call and state; 0 means allowed. A zombie has no fd, so no
 * call can reach it, but its row is defined all the same.
 */
static const s8 pfm_state_errno[PFM_NR_CALLS][PFM_NR_STATES] = {
	[PFM_CALL_WRITE_PMCS] = {
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_WRITE_PMDS] = {
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_READ_PMDS] = {
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_LOAD] = {
		[PFM_CTX_LOADED]	= -EBUSY,
		[PFM_CTX_MASKED]	= -EBUSY,
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_START] = {
		[PFM_CTX_UNLOADED]	= -EINVAL,
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_STOP] = {
		[PFM_CTX_UNLOADED]	= -EINVAL,
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	/* pfm_restart() itself wants a notification (-EBUSY without). */
	[PFM_CALL_RESTART] = {
		[PFM_CTX_UNLOADED]	= -EINVAL,
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_UNLOAD] = {
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	/* Sets change only while nothing uses them. */
	[PFM_CALL_CREATE_SETS] = {
		[PFM_CTX_LOADED]	= -EBUSY,
		[PFM_CTX_MASKED]	= -EBUSY,
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_GETINFO_SETS] = {
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
	[PFM_CALL_DELETE_SETS] = {
		[PFM_CTX_LOADED]	= -EBUSY,
		[PFM_CTX_MASKED]	= -EBUSY,
		[PFM_CTX_ZOMBIE]	= -EINVAL,
	},
};

/**
 * pfm_check_state - may a call proceed in a context state
 * @call: the call
 * @state: the context's state
 *
 * Return: 0, or the errno the call fails with.
 */
int pfm_check_state(enum pfm_call call, enum pfm_ctx_state state)
{
	if (WARN_ON_ONCE(call >= PFM_NR_CALLS || state < PFM_CTX_UNLOADED ||
			 state >= PFM_NR_STATES))
		return -EINVAL;
	call = array_index_nospec(call, PFM_NR_CALLS);
	state = array_index_nospec(state, PFM_NR_STATES);
	return pfm_state_errno[call][state];
}
