/*
 * The generated catalogue table (policy/catalogue_data.c, written by
 * tools/catalogue.py): private to policy/catalogue.c, which is the only
 * reader.  Everything is static data; nothing is built at run time.
 *
 * Layout.  Services are sorted by prefix, actions by lower-cased name
 * within their service, so one service's actions are the index range
 * [pcat_svc_act[s], pcat_svc_act[s + 1]) and both look-ups are binary
 * searches.  Strings are offsets into pcat_pool (NUL-terminated, each
 * stored once).  An action's resource types and condition keys are one
 * record in pcat_stream at pcat_act_info[a], shared by identical actions:
 *
 *	nrt, { rtype | PCAT_REQUIRED, nkeys, key... } x nrt, nkeys, key...
 *
 * rtype indexes pcat_rt_name (a service's types are
 * [pcat_svc_rt[s], pcat_svc_rt[s + 1])), key indexes pcat_key.
 * pcat_act_level holds PCAT_L_* bits (policy/catalogue.h).
 */
#ifndef POLICY_CATALOGUE_DATA_H
#define POLICY_CATALOGUE_DATA_H

#include <stdint.h>

#define PCAT_REQUIRED	0x8000
#define PCAT_SVC_RCP	1	/* pcat_svc_flags: resource control policies apply */

struct pcat_data {
	const char	*package;
	const char	*version;
	const char	*date;
	const char	*integrity;
	int		 nservices;
	int		 nactions;
	int		 nrtypes;
	int		 nkeys;
	int		 max_name;	/* longest "service:Action" */
	int		 pool_size;
	int		 stream_size;
};

extern const struct pcat_data pcat_data;
extern const char	pcat_pool[];
extern const uint32_t	pcat_svc_prefix[];
extern const uint32_t	pcat_svc_name[];
extern const uint8_t	pcat_svc_flags[];
extern const uint32_t	pcat_svc_act[];
extern const uint16_t	pcat_svc_rt[];
extern const uint32_t	pcat_act_name[];
extern const uint8_t	pcat_act_level[];
extern const uint32_t	pcat_act_info[];
extern const uint32_t	pcat_rt_name[];
extern const uint32_t	pcat_key[];
extern const uint16_t	pcat_stream[];

#endif
